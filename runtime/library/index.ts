export { writeLibrary, sm3OfFile, type LibraryManifest, type LibraryDataset, type LibrarySource } from "./materialise.js";
export { asRawType } from "./sample-twin.js";
export { libraryMismatches, libraryTampered, recordedLibraryManifest, recordLibraryManifest } from "./verify.js";
