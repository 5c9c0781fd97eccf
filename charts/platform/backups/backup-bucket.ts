import { Construct } from 'constructs';
import { Bucket, BucketSpecDeletionPolicy } from '../../../imports/gcp-storage-bucket-storage.gcp.upbound.io.ts';
import { BucketIamMember } from '../../../imports/gcp-storage-bucketiammember-storage.gcp.upbound.io.ts';
import { Wave, setSyncWave } from '../../lib/sync-wave.ts';

/** One prefix of the bucket: a backup target's objects, and how long they are kept. */
export interface BucketPrefix {
  /** `vault`, `clickhouse`: objects go under `<prefix>/`. */
  readonly prefix: string;
  readonly retentionDays: number;
  /** The GCP service account that writes them (`…@….iam.gserviceaccount.com`). */
  readonly writer: string;
}

export interface BackupBucketProps {
  readonly name: string;
  /** GCS location (a region keeps the data near the cluster and out of multi-region pricing). */
  readonly location: string;
  readonly prefixes: readonly BucketPrefix[];
  /** Days an overwritten or deleted object's old version is kept. */
  readonly noncurrentVersionDays: number;
}

/**
 * What the backup identities may do in the bucket: create objects and read them back (ClickHouse
 * checks a backup's files after writing them). No delete, no overwrite that loses data (versioning
 * keeps the previous version): a stolen backup credential cannot destroy the backups.
 */
export const BACKUP_WRITER_ROLES = ['roles/storage.objectCreator', 'roles/storage.objectViewer'] as const;

/**
 * The GCS bucket every backup goes to, as a Crossplane managed resource of provider-gcp-storage (in
 * the project of the GCP ProviderConfig `default`): uniform access, no public access, versioning, one
 * lifecycle rule per prefix deleting objects older than that target's retention, one deleting old
 * versions; and access for the backup identities only. Deleting the Bucket object orphans the bucket
 * (deletionPolicy Orphan): removing the service from git never deletes the backups.
 */
export class BackupBucket extends Construct {
  readonly bucket: Bucket;
  readonly members: BucketIamMember[] = [];

  constructor(scope: Construct, id: string, props: BackupBucketProps) {
    super(scope, id);
    // Field shapes: provider-upjet-gcp v1.11.2 package/crds/storage.gcp.upbound.io_buckets.yaml (v1beta1, the storage version).
    this.bucket = new Bucket(this, 'Bucket', {
      metadata: { name: props.name },
      spec: {
        deletionPolicy: BucketSpecDeletionPolicy.ORPHAN,
        forProvider: {
          location: props.location,
          storageClass: 'STANDARD',
          uniformBucketLevelAccess: true,
          publicAccessPrevention: 'enforced',
          versioning: [{ enabled: true }],
          lifecycleRule: [
            ...props.prefixes.map((prefix) => ({
              action: [{ type: 'Delete' }],
              condition: [{ age: prefix.retentionDays, matchesPrefix: [`${prefix.prefix}/`] }],
            })),
            { action: [{ type: 'Delete' }], condition: [{ daysSinceNoncurrentTime: props.noncurrentVersionDays, withState: 'ARCHIVED' }] },
          ],
          labels: { 'managed-by': 'crossplane', purpose: 'backups' },
        },
      },
    });
    const writers = [...new Set(props.prefixes.map((prefix) => prefix.writer))].sort();
    for (const writer of writers) {
      for (const role of BACKUP_WRITER_ROLES) {
        const account = writer.split('@')[0]!;
        this.members.push(
          new BucketIamMember(this, `Member-${account}-${role}`, {
            metadata: { name: `${props.name}-${account}-${role.replace('roles/storage.', '').toLowerCase()}` },
            spec: { forProvider: { bucketRef: { name: props.name }, member: `serviceAccount:${writer}`, role } },
          }),
        );
      }
    }
    // Their CRDs come with provider-gcp-storage (the crossplane service, an earlier root wave); the
    // members name the bucket, so they follow it.
    setSyncWave(this.bucket, Wave.FOUNDATION);
    for (const member of this.members) setSyncWave(member, Wave.DEFAULT);
  }
}
