import type { Construct } from 'constructs';
import { AppProject } from '../../imports/argocd-appproject-argoproj.io.ts';
import type { Environment } from '../environments/types.ts';
import { ArgoApplication } from '../lib/argocd-application.ts';
import { PlatformChart } from '../lib/platform-chart.ts';
import { SERVICE_WAVE_SPAN } from '../lib/platform-chart.ts';
import { setSyncWave } from '../lib/sync-wave.ts';
import { sandboxUserVCluster } from '../lib/vcluster.ts';
import { ROOT_FOLDER } from '../platform/registry.ts';

/** A service folder of the environment that its root must sync. */
export interface RootFolder {
  readonly service: string;
  /** Wave of the folder's Application (after the service's upstream Applications). */
  readonly wave: number;
  /** Synced with the hosted environments' roots instead (registry `withHostedRoots`). */
  readonly withHostedRoots?: boolean;
}

export interface RootChartProps {
  readonly environment: Environment;
  /** Service folders that hold objects, in registry order. */
  readonly folders: readonly RootFolder[];
  /** Repositories of the upstream charts and manifests this environment installs. */
  readonly upstreamRepos: readonly string[];
  /** Environments whose roots this one deploys (the vclusters it hosts). */
  readonly hostedEnvironments: readonly Environment[];
}

/**
 * The project of the one Application applied by hand: Argo CD's `default` project, which exists as
 * soon as Argo CD runs. The environment's own AppProject is created by this root, so the root cannot
 * belong to it (Argo CD refuses "Application referencing project prod which does not exist");
 * docs/decisions/0900-converge-simulation.md.
 */
export const BOOTSTRAP_PROJECT = 'default';

/** The in-cluster API server, as Argo CD names the cluster it runs in. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/** The AppProject of a hosted environment's root Application (in its host's root). */
export function hostedRootProject(environment: string): string {
  return `${environment}-root`;
}

/**
 * The root of one environment, `dist/<env>/root/`, applied to the host's Argo CD namespace: the
 * environment's AppProject and one Application per service folder. A host environment's root also
 * manages itself and deploys the roots of the environments it hosts, so the one object an SRE
 * applies by hand is `dist/prod/root/application-prod-root.yaml` (docs/bootstrap.md).
 */
export class RootChart extends PlatformChart {
  constructor(scope: Construct, id: string, props: RootChartProps) {
    super(scope, id, { environment: props.environment, service: ROOT_FOLDER, wave: 0 });
    const env = props.environment;
    const { platform } = env;
    const isHost = env.cluster.host === undefined;
    const destinations = [{ server: env.destination.server, namespace: '*' }];
    if (isHost && env.destination.server !== IN_CLUSTER_SERVER) {
      destinations.push({ server: IN_CLUSTER_SERVER, namespace: platform.argocdNamespace });
    }

    const project = new AppProject(this, 'Project', {
      metadata: { name: env.name, namespace: platform.argocdNamespace },
      spec: {
        description: `${env.name}: ${env.description}`,
        sourceRepos: [platform.source.repoURL, ...[...new Set(props.upstreamRepos)].sort()],
        destinations,
        clusterResourceWhitelist: [{ group: '*', kind: '*' }],
        namespaceResourceWhitelist: [{ group: '*', kind: '*' }],
      },
    });
    setSyncWave(project, -1);

    // One project per personal sandbox, whose only destination is that user's vcluster: an
    // Application of a user's sandbox cannot deploy to the host, to staging or to another sandbox.
    // Sources: ours, the environment's pinned upstreams, and the user's own GitHub repositories.
    for (const user of env.sandboxUsers ?? []) {
      const vcluster = sandboxUserVCluster(user.github);
      const userProject = new AppProject(this, `Sandbox-${vcluster.name}`, {
        metadata: { name: vcluster.name, namespace: platform.argocdNamespace },
        spec: {
          description: `personal sandbox of ${user.github} (until ${user.expires})`,
          sourceRepos: [platform.source.repoURL, ...[...new Set(props.upstreamRepos)].sort(), `https://github.com/${user.github}/*`],
          destinations: [{ server: vcluster.server, namespace: '*' }],
          clusterResourceWhitelist: [{ group: '*', kind: '*' }],
          namespaceResourceWhitelist: [{ group: '*', kind: '*' }],
        },
      });
      setSyncWave(userProject, -1);
    }

    const distSource = (path: string) => ({
      repoUrl: platform.source.repoURL,
      targetRevision: platform.source.distBranch,
      path,
    });

    if (isHost) {
      new ArgoApplication(this, 'Self', {
        name: `${env.name}-root`,
        argocdNamespace: platform.argocdNamespace,
        project: BOOTSTRAP_PROJECT,
        source: distSource(`${env.name}/${ROOT_FOLDER}`),
        destination: { server: IN_CLUSTER_SERVER, namespace: platform.argocdNamespace },
        wave: -1,
        // Deleting a root must never delete the platform (docs/decisions/0604-argocd-escape-hatches.md).
        cascadeDelete: false,
      });
    }

    // Hosted environments come last: their clusters exist only once this environment's services
    // (the vclusters and their registration) are healthy. Folders that serve them sync alongside.
    const lastWave = Math.max(0, ...props.folders.filter((folder) => !folder.withHostedRoots).map((folder) => folder.wave));
    const hostedWave = lastWave + SERVICE_WAVE_SPAN;
    for (const folder of props.folders) {
      new ArgoApplication(this, `Folder-${folder.service}`, {
        name: `${env.name}-${folder.service}`,
        argocdNamespace: platform.argocdNamespace,
        project: env.name,
        source: distSource(`${env.name}/${folder.service}`),
        destination: { server: env.destination.server },
        wave: folder.withHostedRoots && props.hostedEnvironments.length > 0 ? hostedWave : folder.wave,
      });
    }

    for (const hosted of props.hostedEnvironments) {
      // Its own project, not this one's: a hosted root may create only Argo CD Applications and
      // AppProjects in the Argo CD namespace, nothing else on the host
      // (docs/decisions/0906-least-privilege.md).
      const rootProject = new AppProject(this, `HostedProject-${hosted.name}`, {
        metadata: { name: hostedRootProject(hosted.name), namespace: platform.argocdNamespace },
        spec: {
          description: `${hosted.name}-root: the Applications and AppProjects of ${hosted.name}, nothing else`,
          sourceRepos: [platform.source.repoURL],
          destinations: [{ server: IN_CLUSTER_SERVER, namespace: platform.argocdNamespace }],
          clusterResourceWhitelist: [],
          namespaceResourceWhitelist: [
            { group: 'argoproj.io', kind: 'Application' },
            { group: 'argoproj.io', kind: 'AppProject' },
          ],
        },
      });
      setSyncWave(rootProject, -1);
      new ArgoApplication(this, `Hosted-${hosted.name}`, {
        name: `${hosted.name}-root`,
        argocdNamespace: platform.argocdNamespace,
        project: hostedRootProject(hosted.name),
        source: distSource(`${hosted.name}/${ROOT_FOLDER}`),
        destination: { server: IN_CLUSTER_SERVER, namespace: platform.argocdNamespace },
        wave: hostedWave,
        cascadeDelete: false,
      });
    }
  }
}
