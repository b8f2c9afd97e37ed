#!/usr/bin/env node
// `npx wa-mock …`: runs the binary that findBinary() picks with the same arguments, passing
// signals on and exiting with its code.
import { spawn } from "node:child_process";

import { findBinary } from "../index.js";

const binary = findBinary();
const child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("error", (e) => {
  console.error(`wa-mock: cannot run ${binary}: ${e.message}`);
  process.exit(127);
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
