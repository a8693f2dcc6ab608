// Types for `import styles from "./x.module.css"` before `next build` has written next-env.d.ts
// (a fresh clone's `tsc --noEmit`): the same declarations Next.js ships, by reference.
/// <reference types="next" />
