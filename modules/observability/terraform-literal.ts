/**
 * `text` as a Terraform string that Terraform reads back unchanged.
 *
 * Terraform treats every string of a `.tf.json` file as a template: `${...}`
 * is interpolation and `%{...}` a directive. Doubling the sign (`$${`, `%%{`)
 * makes them literal. `Fn.rawString` is not a substitute at the top level of an
 * argument: it also escapes quotes as `\"`, which only an HCL expression
 * unescapes, so a JSON document would reach AWS with backslashes in it.
 * A function replacement keeps `$$` from being read as a replacement pattern.
 */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}
