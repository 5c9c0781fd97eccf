/** `npm run docs`: regenerates docs/services.md (the service diagram) from the registry. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENTS } from '../charts/environments/index.ts';
import { REPO_ROOT } from '../gate/schemas-location.ts';
import { SERVICES } from '../charts/platform/registry.ts';
import { SERVICES_DOC, servicesDoc } from '../tools/services-doc.ts';

writeFileSync(join(REPO_ROOT, SERVICES_DOC), servicesDoc(SERVICES, ENVIRONMENTS));
console.log(`wrote ${SERVICES_DOC}`);
