#!/usr/bin/env node
// The profilesync-sandbox command; the code lives in dist/cli.js (built with `pnpm build`).
import "../dist/cli.js"
