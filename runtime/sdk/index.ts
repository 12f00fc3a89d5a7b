// Public surface of the client SDK (`shuyu/client`): a typed client generated from the server's OpenAPI document.
export { shuyuClient, type ShuyuClient, type paths } from "./client.js";
