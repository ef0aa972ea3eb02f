export { headSchema, headInputDim, HEAD_FORMAT, HEAD_VERSION, ACTIVATIONS } from './head-format.js';
export type { HeadFile, Activation } from './head-format.js';
export { Mlp, softmax } from './mlp.js';
export { loadHead, checkHeadFits, assembleInput, headFeatureSelection } from './head.js';
