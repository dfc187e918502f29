export { createOpenAiMount } from "./mount.js";
