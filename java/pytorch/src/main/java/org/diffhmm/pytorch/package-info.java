/**
 * diffhmm inside PyTorch training through the JavaCPP presets: {@link org.diffhmm.pytorch.TorchHmm}.
 */
package org.diffhmm.pytorch;
