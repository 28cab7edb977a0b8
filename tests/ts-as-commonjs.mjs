// npm test's module hook (jest.config.js): jest-light-runner imports each test file by its file URL, and Node
// would load a .ts file as an ES module. The project's TypeScript is CommonJS (tsconfig.json), so its files are
// handed to Node's CommonJS loader, where @swc-node/register (`node -r`) compiles them.
import { register } from "node:module";

const hook = `
export async function resolve(specifier, context, next) {
  if (specifier.startsWith("file:") && /\\.ts(\\?|$)/.test(specifier) && !specifier.includes("/node_modules/"))
    return { url: specifier, format: "commonjs", shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
