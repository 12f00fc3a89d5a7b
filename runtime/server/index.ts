// Public surface of the HTTP server (shuyu serve): API, console, data-interface products.
export { buildServer, sendError, type ServerOptions } from "./app.js";
export { startServer, type RunningServer } from "./serve.js";
export { API_ROUTES, type ApiRoute } from "./api-routes.js";
export { openApiDocument, type RouteDoc } from "./openapi.js";
export { RateLimiter, DailyQuota, type RateRule } from "./rate-limit.js";
export { ApiProductRuntime } from "./api-products/product-runtime.js";
export { publishApiProduct, reviewApiProduct, listApiProducts, loadApiProduct, PublishApiInput, ApiReviewInput, type ApiProduct, type ApiProductSpec } from "./api-products/service.js";
export { verifyApiResponse, type ResponseVerdict } from "./api-products/verify-response.js";
export { merkleTree, rootFromProof, leafHash, nodeHash, type ProofStep } from "./api-products/merkle.js";
export { answerBytes, batchMessage, type CallAnswer, type SignedBatch, type SignedResponse } from "./api-products/signed-response.js";
