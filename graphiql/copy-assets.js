// npm's postinstall: copy the browser builds GraphiQL's page loads (UMD bundles, one stylesheet, licences) from
// node_modules/ into winnerr/graphiql/static/vendor/, which the API serves at /graphiql/static/vendor/.
// The page (winnerr/graphiql/page.html) names these same paths; the folder is rebuilt on every install.
'use strict';

const fs = require('fs');
const path = require('path');

const VENDOR = path.join(__dirname, '..', 'winnerr', 'graphiql', 'static', 'vendor');
const ASSETS = {
  graphiql: ['graphiql.min.js', 'graphiql.min.css', 'LICENSE'],
  react: ['umd/react.production.min.js', 'LICENSE'],
  'react-dom': ['umd/react-dom.production.min.js', 'LICENSE'],
  'graphql-ws': ['umd/graphql-ws.min.js', 'LICENSE.md'],
};

fs.rmSync(VENDOR, {recursive: true, force: true});
for (const [pkg, files] of Object.entries(ASSETS)) {
  const source = path.dirname(require.resolve(`${pkg}/package.json`));
  const target = path.join(VENDOR, pkg);
  fs.mkdirSync(target, {recursive: true});
  for (const file of files) {
    fs.copyFileSync(path.join(source, file), path.join(target, path.basename(file)));
  }
}
console.log(`GraphiQL assets copied to ${path.relative(process.cwd(), VENDOR)}`);
