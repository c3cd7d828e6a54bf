// Validates Kubernetes manifests against the API's OpenAPI schemas (kubernetes-models 4.5.1, the
// schemas of Kubernetes 1.32: strict where older API servers are, e.g. a pod condition's status),
// offline. Usage: node validate.mjs FILE.yaml ...; prints one line per document, exits 1 if any
// document is invalid or of a kind it has no schema for.
import fs from 'node:fs';
import yaml from 'js-yaml';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Secret } from 'kubernetes-models/v1/Secret';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';

const models = {
  'v1/ServiceAccount': ServiceAccount, 'v1/Secret': Secret, 'v1/ConfigMap': ConfigMap,
  'batch/v1/CronJob': CronJob, 'batch/v1/Job': Job,
};
let invalid = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(fs.readFileSync(file, 'utf8'))) {
    if (!doc) continue;
    const what = `${file}: ${doc.kind} ${doc.metadata?.name}`;
    const Model = models[`${doc.apiVersion}/${doc.kind}`];
    if (!Model) {
      console.log(`${what}: INVALID: no schema here for ${doc.apiVersion} ${doc.kind}`);
      invalid++;
      continue;
    }
    try {
      new Model(doc).validate();
      console.log(`${what}: valid`);
    } catch (e) {
      console.log(`${what}: INVALID: ${e.message}`);
      invalid++;
    }
  }
}
process.exit(invalid ? 1 : 0);
