// The web playground: the chat page built from web/ with Vite, served at "/".
export { createPlaygroundMount, DEFAULT_PLAYGROUND_DIR, type PlaygroundMountOptions } from "./mount.js";
