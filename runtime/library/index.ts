export { writeLibrary, grantedSelect, sm3OfFile, type LibraryManifest, type LibraryDataset, type LibrarySource } from "./materialise.js";
