export { createOllamaMount } from "./mount.js";
