// The API docs (/docs) are served by the app itself, not a CDN: Swagger UI's bundle and stylesheet
// go into the build, next to the dashboard, under swagger-ui/.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const source = dirname(require.resolve('swagger-ui-dist/package.json'));
const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'swagger-ui');
mkdirSync(target, { recursive: true });
for (const name of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
  copyFileSync(join(source, name), join(target, name));
}
