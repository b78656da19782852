// Headless Chromium as the accessibility checks open it: no background networking (the
// machine's network is closed, and pages must not need it).
import { chromium } from "playwright-core";

export function launch(executablePath) {
  return chromium.launch({
    executablePath,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run",
    ],
  });
}
