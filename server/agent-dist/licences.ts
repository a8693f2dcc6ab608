/**
 * The licence texts of the packages bundled into the agent file: their licences (MIT, ISC,
 * Apache-2.0, BSD) ask that the notice travel with every copy, and a bundle is a copy.
 */
import fs from "node:fs";
import path from "node:path";

/** `inputs`: the bundle's input paths (esbuild's metafile), relative to `root`. */
export function licenceNotices(root: string, inputs: string[]): string {
  const packages = new Map<string, string>();
  for (const input of inputs) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m && !packages.has(m[1]!)) packages.set(m[1]!, path.join(root, m[1]!));
  }
  const sections: string[] = [];
  for (const dir of [...packages.values()].sort()) {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name: string; version: string; license?: string };
    const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
    const text = file ? fs.readFileSync(path.join(dir, file), "utf8").trim() : `(no licence file; package.json says ${pkg.license ?? "nothing"})`;
    sections.push(`${pkg.name}@${pkg.version} (${pkg.license ?? "unknown"})\n\n${text}`);
  }
  // A comment must not end early: no "*/" inside.
  return `/*! Third-party software in this file, with its licences:\n\n${sections.join("\n\n----\n\n").replaceAll("*/", "* /")}\n*/\n`;
}
