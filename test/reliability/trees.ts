/** Two complete trees the kill test alternates between (same paths in part, different bytes). */
export function killTree(which: 'A' | 'B'): Map<string, string> {
  const files = new Map<string, string>();
  const count = which === 'A' ? 240 : 200;
  for (let i = 0; i < count; i++) files.set(`${['prod', 'staging', 'sandbox'][i % 3]}/service-${i % 17}/configmap-${i}.yaml`, `# tree ${which}\nkind: ConfigMap\nindex: ${i}\n${'x'.repeat(2000)}\n`);
  files.set('README.md', `tree ${which}\n`);
  return files;
}
