export { createAnthropicMount } from "./mount.js";
