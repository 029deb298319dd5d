package org.diffhmm;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A dense, row-major, contiguous array of float32 or float64 values with a shape — the way every
 * input and output of diffhmm is passed. It only views memory the caller owns; it never copies at
 * construction.
 *
 * <p>Three kinds of storage are accepted, all equally valid everywhere:
 * <ul>
 *   <li>Java arrays ({@code float[]}, {@code double[]}) — pinned for the duration of a native call
 *       (no copy on HotSpot), so the garbage collector waits for the call;</li>
 *   <li>direct NIO buffers ({@link FloatBuffer}, {@link DoubleBuffer}) — zero-copy, starting at the
 *       buffer's position;</li>
 *   <li>JavaCPP pointers ({@link FloatPointer}, {@link DoublePointer}) — zero-copy, starting at the
 *       pointer's position (for instance memory from other native libraries).</li>
 * </ul>
 * A tensor does not own its memory and needs no closing. It is immutable; the memory it views is
 * not: diffhmm reads inputs and writes outputs, and never writes to a tensor passed as an input.
 *
 * <pre>{@code
 * float[] scores = new float[B * T * N * N];          // potential[b][t][i][j]
 * Tensor potential = Tensor.of(scores, B, T, N, N);
 * }</pre>
 */
public final class Tensor {
    enum Storage { ARRAY, BUFFER, POINTER, DEVICE }

    private final DType dtype;
    private final long[] shape;
    private final long size;
    private final Storage storage;
    private final Object array;     // float[] or double[]
    private final Buffer buffer;    // direct FloatBuffer / DoubleBuffer
    private final Pointer pointer;  // FloatPointer / DoublePointer

    private Tensor(DType dtype, long[] shape, Storage storage, Object array, Buffer buffer, Pointer pointer,
                   long available) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.size = elements(this.shape);
        this.storage = storage;
        this.array = array;
        this.buffer = buffer;
        this.pointer = pointer;
        if (available >= 0 && available < size) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + size
                    + " elements but the storage holds " + available);
        }
    }

    /** A float32 tensor viewing {@code data}, whose length must equal the product of {@code shape}. */
    public static Tensor of(float[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        requireExactLength(data.length, shape);
        return new Tensor(DType.FLOAT32, shape, Storage.ARRAY, data, null, null, data.length);
    }

    /** A float64 tensor viewing {@code data}, whose length must equal the product of {@code shape}. */
    public static Tensor of(double[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        requireExactLength(data.length, shape);
        return new Tensor(DType.FLOAT64, shape, Storage.ARRAY, data, null, null, data.length);
    }

    /** A float32 tensor viewing a direct buffer from its position (at least the product of shape remaining). */
    public static Tensor of(FloatBuffer data, long... shape) {
        requireDirect(data);
        return new Tensor(DType.FLOAT32, shape, Storage.BUFFER, null, data, null, data.remaining());
    }

    /** A float64 tensor viewing a direct buffer from its position. */
    public static Tensor of(DoubleBuffer data, long... shape) {
        requireDirect(data);
        return new Tensor(DType.FLOAT64, shape, Storage.BUFFER, null, data, null, data.remaining());
    }

    /** A float32 tensor viewing native memory from the pointer's position. */
    public static Tensor of(FloatPointer data, long... shape) {
        requirePointer(data);
        return new Tensor(DType.FLOAT32, shape, Storage.POINTER, null, null, data, available(data));
    }

    /** A float64 tensor viewing native memory from the pointer's position. */
    public static Tensor of(DoublePointer data, long... shape) {
        requirePointer(data);
        return new Tensor(DType.FLOAT64, shape, Storage.POINTER, null, null, data, available(data));
    }

    /**
     * A tensor in CUDA device memory (for instance from the JavaCPP CUDA presets' {@code cudaMalloc}),
     * starting at the pointer's position (in elements of {@code dtype}). Zero-copy with
     * {@link Backend#CUDA}: inputs are read and outputs written on the device, on the stream of
     * {@link Options#stream}. The CPU cannot read it: {@link #get}, {@link #toFloatArray} and the CPU
     * backend refuse it. The extent of device memory cannot be checked: the caller vouches for it.
     */
    public static Tensor ofDevice(Pointer data, DType dtype, long... shape) {
        requirePointer(data);
        Objects.requireNonNull(dtype, "dtype");
        final long at = data.address() + data.position() * (long) dtype.bytes();
        final Pointer view = new Pointer() {
            {
                address = at;
            }
        };
        return new Tensor(dtype, shape, Storage.DEVICE, null, null, view, -1);
    }

    /** True if the data is CUDA device memory. */
    public boolean isDevice() {
        return storage == Storage.DEVICE;
    }

    /** A new zero-filled tensor backed by a Java array. */
    public static Tensor zeros(DType dtype, long... shape) {
        Objects.requireNonNull(dtype, "dtype");
        final int n = arrayLength(elements(shape));
        return dtype == DType.FLOAT32 ? of(new float[n], shape) : of(new double[n], shape);
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Extent of dimension {@code d}. */
    public long dim(int d) {
        return shape[d];
    }

    /** Number of elements (the product of the shape). */
    public long size() {
        return size;
    }

    /** True if backed by a Java array (then {@link #floatArray()} or {@link #doubleArray()} returns it). */
    public boolean isArray() {
        return storage == Storage.ARRAY;
    }

    /** The backing {@code float[]} itself (not a copy); only for array-backed float32 tensors. */
    public float[] floatArray() {
        if (storage != Storage.ARRAY || dtype != DType.FLOAT32) {
            throw new IllegalStateException("not a float[]-backed tensor (" + describe() + "); use toFloatArray()");
        }
        return (float[]) array;
    }

    /** The backing {@code double[]} itself (not a copy); only for array-backed float64 tensors. */
    public double[] doubleArray() {
        if (storage != Storage.ARRAY || dtype != DType.FLOAT64) {
            throw new IllegalStateException("not a double[]-backed tensor (" + describe() + "); use toDoubleArray()");
        }
        return (double[]) array;
    }

    /** A new {@code float[]} with every element (converted from float64 if need be). */
    public float[] toFloatArray() {
        requireHost();
        final int n = arrayLength(size);
        final float[] out = new float[n];
        if (dtype == DType.FLOAT32) {
            switch (storage) {
                case ARRAY: System.arraycopy((float[]) array, 0, out, 0, n); break;
                case BUFFER: ((FloatBuffer) buffer).duplicate().get(out); break;
                default: ((FloatPointer) pointer).get(out);
            }
        } else {
            final double[] d = toDoubleArray();
            for (int k = 0; k < n; k++) {
                out[k] = (float) d[k];
            }
        }
        return out;
    }

    /** A new {@code double[]} with every element (widened from float32 if need be). */
    public double[] toDoubleArray() {
        requireHost();
        final int n = arrayLength(size);
        final double[] out = new double[n];
        if (dtype == DType.FLOAT64) {
            switch (storage) {
                case ARRAY: System.arraycopy((double[]) array, 0, out, 0, n); break;
                case BUFFER: ((DoubleBuffer) buffer).duplicate().get(out); break;
                default: ((DoublePointer) pointer).get(out);
            }
        } else {
            final float[] f = toFloatArray();
            for (int k = 0; k < n; k++) {
                out[k] = f[k];
            }
        }
        return out;
    }

    /** The element at {@code index} (one index per dimension), as a double. */
    public double get(long... index) {
        requireHost();
        if (index.length != shape.length) {
            throw new IllegalArgumentException("expected " + shape.length + " indices, got " + index.length);
        }
        long flat = 0;
        for (int d = 0; d < shape.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside shape " + Arrays.toString(shape));
            }
            flat = flat * shape[d] + index[d];
        }
        switch (storage) {
            case ARRAY:
                return dtype == DType.FLOAT32 ? ((float[]) array)[(int) flat] : ((double[]) array)[(int) flat];
            case BUFFER:
                return dtype == DType.FLOAT32
                        ? ((FloatBuffer) buffer).get(buffer.position() + (int) flat)
                        : ((DoubleBuffer) buffer).get(buffer.position() + (int) flat);
            default:
                return dtype == DType.FLOAT32 ? ((FloatPointer) pointer).get(flat) : ((DoublePointer) pointer).get(flat);
        }
    }

    @Override
    public String toString() {
        return "Tensor" + describe();
    }

    String describe() {
        return "(" + dtype + ", shape " + Arrays.toString(shape) + ", " + storage.name().toLowerCase() + ")";
    }

    Storage storage() {
        return storage;
    }

    Object array() {
        return array;
    }

    Buffer buffer() {
        return buffer;
    }

    Pointer pointer() {
        return pointer;
    }

    private void requireHost() {
        if (storage == Storage.DEVICE) {
            throw new IllegalStateException("this tensor is CUDA device memory; copy it to the host first (cudaMemcpy)");
        }
    }

    static long elements(long[] shape) {
        Objects.requireNonNull(shape, "shape");
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static int arrayLength(long n) {
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(n + " elements do not fit in a Java array; use a buffer or pointer");
        }
        return (int) n;
    }

    private static void requireExactLength(int length, long[] shape) {
        if (elements(shape) != length) {
            throw new IllegalArgumentException("array of length " + length + " does not match shape "
                    + Arrays.toString(shape) + " (" + elements(shape) + " elements)");
        }
    }

    private static void requireDirect(Buffer data) {
        Objects.requireNonNull(data, "data");
        if (!data.isDirect()) {
            throw new IllegalArgumentException("a heap buffer cannot be passed to native code without a copy: "
                    + "use a direct buffer (ByteBuffer.allocateDirect(...).order(ByteOrder.nativeOrder())) or a Java array");
        }
    }

    private static void requirePointer(Pointer data) {
        Objects.requireNonNull(data, "data");
        if (data.isNull()) {
            throw new IllegalArgumentException("pointer is null");
        }
    }

    private static long available(Pointer p) {
        // JavaCPP tracks the extent of memory it allocated; foreign memory reports 0 (unknown).
        return p.limit() > 0 ? p.limit() - p.position() : p.capacity() > 0 ? p.capacity() - p.position() : -1;
    }
}
