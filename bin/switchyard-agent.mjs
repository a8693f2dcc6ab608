#!/usr/bin/env node
// Entry point for `npx switchyard-agent`: runs the TypeScript agent through tsx's loader.
import { register } from "tsx/esm/api";

register();
await import("../agents/cli.ts");
