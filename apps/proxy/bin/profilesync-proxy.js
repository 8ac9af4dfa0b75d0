#!/usr/bin/env node
// The profilesync-proxy command: the compiled server in dist/main.js (`pnpm build`), in this same process, so the
// signals a supervisor sends reach the handlers that drain it.
import "../dist/main.js"
