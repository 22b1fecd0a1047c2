/** Kept equal to package.json's version and the launcher's CORDON_VERSION
 * (a unit test checks all three). */
export const CORDON_VERSION = "0.1.0";
