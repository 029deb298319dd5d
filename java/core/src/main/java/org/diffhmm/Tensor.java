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
    private final Pointer pointer;  // a view at the first element (FloatPointer / DoublePointer on the host)

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

    /** A host-pointer tensor: a view fixed at the pointer's position now (later moves of the caller's pointer do not move it). */
    private static Tensor ofPointer(DType dtype, Pointer data, long[] shape) {
        final long available = available(data);
        final long at = data.address() + data.position() * (long) dtype.bytes();
        final long extent = available >= 0 ? available : 0;
        final Pointer view = dtype == DType.FLOAT32 ? new FloatView(at, extent, data) : new DoubleView(at, extent, data);
        return new Tensor(dtype, shape, Storage.POINTER, null, null, view, available);
    }

    /** A float view at a fixed address that keeps the caller's pointer (and so its memory) reachable. */
    private static final class FloatView extends FloatPointer {
        @SuppressWarnings("unused")
        private final Pointer owner;

        FloatView(long at, long extent, Pointer owner) {
            this.owner = owner;
            address = at;
            limit = extent;
            capacity = extent;
        }
    }

    /** A double view at a fixed address that keeps the caller's pointer (and so its memory) reachable. */
    private static final class DoubleView extends DoublePointer {
        @SuppressWarnings("unused")
        private final Pointer owner;

        DoubleView(long at, long extent, Pointer owner) {
            this.owner = owner;
            address = at;
            limit = extent;
            capacity = extent;
        }
    }

    /**
     * A float32 tensor viewing a Java array (no copy).
     *
     * @param data  the elements, row-major; its length must equal the product of {@code shape}
     * @param shape the dimensions, e.g. {@code B, T, N, N}
     * @return the tensor
     * @throws IllegalArgumentException if the length does not match the shape or a dimension is negative
     */
    public static Tensor of(float[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        requireExactLength(data.length, shape);
        return new Tensor(DType.FLOAT32, shape, Storage.ARRAY, data, null, null, data.length);
    }

    /**
     * A float64 tensor viewing a Java array (no copy).
     *
     * @param data  the elements, row-major; its length must equal the product of {@code shape}
     * @param shape the dimensions, e.g. {@code B, T, N, N}
     * @return the tensor
     * @throws IllegalArgumentException if the length does not match the shape or a dimension is negative
     */
    public static Tensor of(double[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        requireExactLength(data.length, shape);
        return new Tensor(DType.FLOAT64, shape, Storage.ARRAY, data, null, null, data.length);
    }

    /**
     * A float32 tensor viewing a direct buffer from its position (no copy).
     *
     * @param data  a direct buffer in native byte order with at least the product of {@code shape} remaining
     * @param shape the dimensions, e.g. {@code B, T, N, N}
     * @return the tensor
     * @throws IllegalArgumentException if the buffer is not direct, not in native byte order, or too short
     */
    public static Tensor of(FloatBuffer data, long... shape) {
        requireDirect(data, data == null ? null : data.order());
        return new Tensor(DType.FLOAT32, shape, Storage.BUFFER, null, data, null, data.remaining());
    }

    /**
     * A float64 tensor viewing a direct buffer from its position (no copy).
     *
     * @param data  a direct buffer in native byte order with at least the product of {@code shape} remaining
     * @param shape the dimensions, e.g. {@code B, T, N, N}
     * @return the tensor
     * @throws IllegalArgumentException if the buffer is not direct, not in native byte order, or too short
     */
    public static Tensor of(DoubleBuffer data, long... shape) {
        requireDirect(data, data == null ? null : data.order());
        return new Tensor(DType.FLOAT64, shape, Storage.BUFFER, null, data, null, data.remaining());
    }

    /**
     * A float32 tensor viewing host memory from the pointer's position (no copy). The view is fixed
     * now: moving the pointer's position later does not move the tensor, and the tensor keeps the
     * pointer (so memory JavaCPP allocated) reachable.
     *
     * <p>What is checked and what is trusted: the position must be {@code >= 0} and not past the
     * limit or the capacity. Where JavaCPP knows the extent — its {@code capacity()}, which is exact
     * for memory it allocated ({@code new FloatPointer(n)}, {@code new FloatPointer(float[])},
     * {@code Pointer.malloc}) — a {@code limit()} beyond it is refused and the shape must fit between
     * the position and the smaller of the two. Where it does not (capacity 0: memory from another
     * library), a limit set by the caller is taken as the extent, and without one the caller vouches
     * for the extent. A capacity the caller set by hand ({@code capacity(n)}) is trusted.
     *
     * @param data  a non-null host pointer
     * @param shape the dimensions, e.g. {@code B, T, N, N}
     * @return the tensor
     * @throws IllegalArgumentException if the pointer is null, its position is negative or past its
     *                                  limit or capacity, its limit is past its capacity, or it is
     *                                  known to be too short
     */
    public static Tensor of(FloatPointer data, long... shape) {
        requirePointer(data);
        return ofPointer(DType.FLOAT32, data, shape);
    }

    /**
     * A float64 tensor viewing host memory from the pointer's position (no copy); checked and fixed as
     * {@link #of(FloatPointer, long...)} describes.
     *
     * @param data  a non-null host pointer
     * @param shape the dimensions, e.g. {@code B, T, N, N}
     * @return the tensor
     * @throws IllegalArgumentException if the pointer is null, its position is negative or past its
     *                                  limit or capacity, its limit is past its capacity, or it is
     *                                  known to be too short
     */
    public static Tensor of(DoublePointer data, long... shape) {
        requirePointer(data);
        return ofPointer(DType.FLOAT64, data, shape);
    }

    /**
     * A tensor in CUDA device memory (for instance from the JavaCPP CUDA presets' {@code cudaMalloc}),
     * starting at the pointer's position (in elements of {@code dtype}). Zero-copy with
     * {@link Backend#CUDA}: inputs are read and outputs written on the device, on the stream of
     * {@link Options#stream}. The CPU cannot read it: {@link #get}, {@link #toFloatArray} and the CPU
     * backend refuse it. The position must be {@code >= 0}; the extent of device memory cannot be
     * checked: the caller vouches for it.
     *
     * @param data  a non-null CUDA device pointer
     * @param dtype the element type
     * @param shape the dimensions, e.g. {@code B, T, N, N}
     * @return the tensor
     * @throws IllegalArgumentException if the pointer is null or its position negative
     */
    public static Tensor ofDevice(Pointer data, DType dtype, long... shape) {
        requirePointer(data);
        Objects.requireNonNull(dtype, "dtype");
        if (data.position() < 0) {
            throw new IllegalArgumentException("the pointer's position " + data.position() + " is negative");
        }
        final long at = data.address() + data.position() * (long) dtype.bytes();
        final Pointer view = new Pointer() {
            @SuppressWarnings("unused")
            private final Pointer owner = data;  // the caller's pointer (and any deallocator it has) stays reachable

            {
                address = at;
            }
        };
        return new Tensor(dtype, shape, Storage.DEVICE, null, null, view, -1);
    }

    /**
     * Whether the data is CUDA device memory.
     *
     * @return true for {@link #ofDevice} tensors
     */
    public boolean isDevice() {
        return storage == Storage.DEVICE;
    }

    /**
     * A new zero-filled tensor backed by a Java array.
     *
     * @param dtype the element type
     * @param shape the dimensions, e.g. {@code B, T, N, N}
     * @return the tensor
     * @throws IllegalArgumentException if the shape holds more elements than a Java array can
     */
    public static Tensor zeros(DType dtype, long... shape) {
        Objects.requireNonNull(dtype, "dtype");
        final int n = arrayLength(elements(shape));
        return dtype == DType.FLOAT32 ? of(new float[n], shape) : of(new double[n], shape);
    }

    /**
     * The element type.
     *
     * @return FLOAT32 or FLOAT64
     */
    public DType dtype() {
        return dtype;
    }

    /**
     * The dimensions.
     *
     * @return a copy of the shape
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * The number of dimensions.
     *
     * @return the rank
     */
    public int rank() {
        return shape.length;
    }

    /**
     * The extent of one dimension.
     *
     * @param d the dimension, {@code 0 <= d < rank()}
     * @return its extent
     */
    public long dim(int d) {
        return shape[d];
    }

    /**
     * The number of elements.
     *
     * @return the product of the shape
     */
    public long size() {
        return size;
    }

    /**
     * Whether a Java array backs this tensor.
     *
     * @return true if {@link #floatArray()} or {@link #doubleArray()} returns it
     */
    public boolean isArray() {
        return storage == Storage.ARRAY;
    }

    /**
     * The backing array itself (not a copy).
     *
     * @return the {@code float[]}
     * @throws IllegalStateException unless this is an array-backed float32 tensor
     */
    public float[] floatArray() {
        if (storage != Storage.ARRAY || dtype != DType.FLOAT32) {
            throw new IllegalStateException("not a float[]-backed tensor (" + describe() + "); use toFloatArray()");
        }
        return (float[]) array;
    }

    /**
     * The backing array itself (not a copy).
     *
     * @return the {@code double[]}
     * @throws IllegalStateException unless this is an array-backed float64 tensor
     */
    public double[] doubleArray() {
        if (storage != Storage.ARRAY || dtype != DType.FLOAT64) {
            throw new IllegalStateException("not a double[]-backed tensor (" + describe() + "); use toDoubleArray()");
        }
        return (double[]) array;
    }

    /**
     * Copies every element out.
     *
     * @return a new {@code float[]} (narrowed from float64 if need be)
     * @throws IllegalStateException for device memory
     */
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

    /**
     * Copies every element out.
     *
     * @return a new {@code double[]} (widened from float32 if need be)
     * @throws IllegalStateException for device memory
     */
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

    /**
     * One element.
     *
     * @param index one index per dimension
     * @return the element, as a double
     * @throws IllegalArgumentException  if the number of indices is not the rank
     * @throws IndexOutOfBoundsException if an index is outside the shape
     * @throws IllegalStateException     for device memory
     */
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

    /** True for a read-only NIO buffer (outputs must be writable). */
    boolean isReadOnly() {
        return storage == Storage.BUFFER && buffer.isReadOnly();
    }

    /**
     * True if this tensor and {@code other} share any element of memory: the same Java array, or
     * overlapping address ranges of direct buffers, host pointers or device pointers.
     */
    boolean overlaps(Tensor other) {
        if (storage == Storage.ARRAY || other.storage == Storage.ARRAY) {
            return array != null && array == other.array;
        }
        if ((storage == Storage.DEVICE) != (other.storage == Storage.DEVICE)) {
            return false;  // host and device address spaces are apart
        }
        final long a = address(), b = other.address();
        return size > 0 && other.size > 0 && a < b + other.size * other.dtype.bytes() && b < a + size * dtype.bytes();
    }

    /** The address of the first element (buffers, pointers and device memory). */
    private long address() {
        if (storage == Storage.BUFFER) {
            // slice(): a buffer whose element 0 is this tensor's first, so no position to interpret
            final Buffer view = buffer instanceof FloatBuffer ? ((FloatBuffer) buffer).slice() : ((DoubleBuffer) buffer).slice();
            return new Pointer(view).address();
        }
        return pointer.address() + pointer.position() * pointer.sizeof();
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
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
        long n = 1;
        for (long d : shape) {
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                for (long z : shape) {
                    if (z == 0) {
                        return 0;  // a zero dimension: no elements, however large the others
                    }
                }
                throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                        + " has more elements than a long counts (2^63 - 1)");
            }
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

    private static void requireDirect(Buffer data, java.nio.ByteOrder order) {
        Objects.requireNonNull(data, "data");
        if (!data.isDirect()) {
            throw new IllegalArgumentException("a heap buffer cannot be passed to native code without a copy: "
                    + "use a direct buffer (ByteBuffer.allocateDirect(...).order(ByteOrder.nativeOrder())) or a Java array");
        }
        if (order != java.nio.ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("the buffer is " + order + " but native code reads " + java.nio.ByteOrder.nativeOrder()
                    + ": create it with ByteBuffer.allocateDirect(...).order(ByteOrder.nativeOrder())");
        }
    }

    private static void requirePointer(Pointer data) {
        Objects.requireNonNull(data, "data");
        if (data.isNull()) {
            throw new IllegalArgumentException("pointer is null");
        }
    }

    /**
     * The elements from the pointer's position to the end of what JavaCPP knows of it, or -1 when it
     * knows nothing (foreign memory with neither limit nor capacity: the caller vouches).
     */
    private static long available(Pointer p) {
        final long position = p.position(), limit = p.limit(), capacity = p.capacity();
        if (position < 0) {
            throw new IllegalArgumentException("the pointer's position " + position + " is negative");
        }
        if (capacity > 0 && limit > capacity) {
            throw new IllegalArgumentException("the pointer's limit " + limit + " is past its capacity " + capacity
                    + " (the memory JavaCPP knows of): it would read and write beyond the allocation");
        }
        final long end = limit > 0 ? limit : capacity;
        if (end > 0 && position > end) {
            throw new IllegalArgumentException("the pointer's position " + position + " is past its "
                    + (limit > 0 ? "limit " : "capacity ") + end);
        }
        return end > 0 ? end - position : -1;
    }
}
