/**
 * The floor of `npm run bench`: plain node + yaml writing N objects (one file each, keys sorted, as
 * synth writes them) into DIR. What synth cannot beat; its ratio to synth is the overhead we own.
 * `node scripts/bench-floor.mjs N DIR`
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

const [count, dir] = [Number(process.argv[2]), process.argv[3]];
for (let i = 0; i < count; i++) {
  const folder = join(dir, `folder-${i % 20}`);
  if (i < 20) mkdirSync(folder, { recursive: true });
  const object = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `app-${i}`, namespace: 'bench', labels: { 'app.kubernetes.io/name': `app-${i}`, 'app.kubernetes.io/part-of': 'bench' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': `app-${i}` } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': `app-${i}` } },
        spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0.0', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
      },
    },
  };
  writeFileSync(join(folder, `deployment-app-${i}.yaml`), stringify(object, { sortMapEntries: true, lineWidth: 0 }));
}
