import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { IMAGES, imageRef } from '../../environments/catalogue.ts';
import { RESTRICTED_CONTAINER } from '../../lib/labels.ts';
import { NEEDS_ANNOTATION, needsAnnotation, type Need } from '../../lib/needs.ts';
import { Wave, setSyncWave } from '../../lib/sync-wave.ts';

/** The metric a backup job pushes when it succeeded: the Unix time of that success, per target. */
export const BACKUP_SUCCESS_METRIC = 'platform.backup.last_success';
/** Attribute of that metric naming the backup target (`vault`, `clickhouse`). */
export const BACKUP_TARGET_ATTRIBUTE = 'backup.target';

/** Restricted Pod Security (the vault namespace enforces it): non-root, no escalation, no capabilities, seccomp. */
const BACKUP_CONTAINER: k8s.SecurityContext = { ...RESTRICTED_CONTAINER, runAsNonRoot: true };

export interface BackupStep {
  readonly name: string;
  readonly image: string;
  /** A shell script (`sh -ceu`): the step fails on the first failing command. */
  readonly script: string;
  readonly env?: readonly k8s.EnvVar[];
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  /** The image's own non-root user. */
  readonly runAsUser: number;
}

export interface BackupCronJobProps {
  /** The target (`vault`, `clickhouse`): names the CronJob `backup-<target>` and labels the metric. */
  readonly target: string;
  readonly namespace: string;
  readonly schedule: string;
  /** Run in order; the job succeeds, and reports it, only when every step did. */
  readonly steps: readonly BackupStep[];
  readonly volumes?: readonly k8s.Volume[];
  /** What the steps use by name (bucket, Vault role, Secrets): proved present and earlier by the gate. */
  readonly needs: readonly Need[];
  /** OTLP/HTTP endpoint of the environment's collector, e.g. `http://telemetry-collector.opentelemetry.svc:4318`. */
  readonly otlpEndpoint: string;
  /** Mount the service account's token (Vault's Kubernetes auth reads it). @default false */
  readonly serviceAccountToken?: boolean;
}

/**
 * A scheduled backup: a CronJob (UTC, never two at once) whose pod runs the steps one after the
 * other as init containers, then reports the success as an OTLP metric to the collector, where the
 * staleness alert reads it. A failed step fails the pod; nothing is reported, so the alert fires.
 */
export class BackupCronJob extends Construct {
  readonly name: string;
  readonly serviceAccountName: string;
  readonly cronJob: k8s.KubeCronJob;

  constructor(scope: Construct, id: string, props: BackupCronJobProps) {
    super(scope, id);
    this.name = `backup-${props.target}`;
    this.serviceAccountName = this.name;
    const serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.serviceAccountName, namespace: props.namespace },
      automountServiceAccountToken: props.serviceAccountToken ?? false,
    });
    setSyncWave(serviceAccount, Wave.FOUNDATION);

    const tmp: k8s.VolumeMount = { name: 'tmp', mountPath: '/tmp' };
    const container = (step: BackupStep): k8s.Container => ({
      name: step.name,
      image: step.image,
      imagePullPolicy: 'IfNotPresent',
      command: ['/bin/sh', '-ceu', step.script],
      // read-only root: anything a tool writes (gcloud's configuration, histories) goes to /tmp
      env: [{ name: 'HOME', value: '/tmp' }, ...(step.env ?? [])],
      volumeMounts: [tmp, ...(step.volumeMounts ?? [])],
      securityContext: { ...BACKUP_CONTAINER, runAsUser: step.runAsUser },
      resources: {
        requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('128Mi') },
        limits: { memory: k8s.Quantity.fromString('512Mi') },
      },
    });
    const report = container({
      name: 'report-success',
      image: imageRef(IMAGES.googleCloudCli),
      runAsUser: 65532,
      env: [
        { name: 'OTLP_ENDPOINT', value: props.otlpEndpoint },
        { name: 'TARGET', value: props.target },
      ],
      script: reportScript(),
    });

    this.cronJob = new k8s.KubeCronJob(this, 'CronJob', {
      metadata: { name: this.name, namespace: props.namespace, annotations: { [NEEDS_ANNOTATION]: needsAnnotation(props.needs) } },
      spec: {
        schedule: props.schedule,
        timeZone: 'Etc/UTC',
        // a slow backup is never overlapped by the next one; a missed run starts up to an hour late
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 3 * 3600,
            template: {
              metadata: { labels: { 'app.kubernetes.io/name': this.name } },
              spec: {
                serviceAccountName: this.serviceAccountName,
                // Said on the pod too: a job that does not log in to Vault gets no token at all.
                automountServiceAccountToken: props.serviceAccountToken ?? false,
                restartPolicy: 'Never',
                securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
                initContainers: props.steps.map(container),
                containers: [report],
                volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } }, ...(props.volumes ?? [])],
              },
            },
          },
        },
      },
    });
    // after everything it needs in this folder (bucket, IAM, Vault role, ExternalSecrets)
    setSyncWave(this.cronJob, Wave.AFTER_CUSTOM_RESOURCES);
  }
}

/**
 * One OTLP/HTTP JSON gauge point (opentelemetry-proto v1.3 metrics.proto, JSON encoding): the
 * collector's ClickHouse exporter stores it in `otel_metrics_gauge` (MetricName, Attributes, TimeUnix).
 */
function reportScript(): string {
  return [
    'now=$(date +%s)',
    `body='{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"backups"}}]},'`,
    `body="$body"'"scopeMetrics":[{"scope":{"name":"platform.backups"},"metrics":[{"name":"${BACKUP_SUCCESS_METRIC}","unit":"s","gauge":{"dataPoints":[{'`,
    `body="$body"'"attributes":[{"key":"${BACKUP_TARGET_ATTRIBUTE}","value":{"stringValue":"'"$TARGET"'"}}],'`,
    `body="$body"'"timeUnixNano":"'"$now"'000000000","asInt":"'"$now"'"}]}}]}]}]}'`,
    'curl --fail --silent --show-error --retry 5 --retry-all-errors -H "Content-Type: application/json" --data "$body" "$OTLP_ENDPOINT/v1/metrics"',
    '',
  ].join('\n');
}
