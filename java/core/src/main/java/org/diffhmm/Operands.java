package org.diffhmm;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * How the floating-point operands of one native call cross into native code.
 *
 * <p>If every tensor of the call is backed by a Java array, the call uses the binding's
 * {@code float[]}/{@code double[]} overloads, which pin the arrays (no copy). Otherwise every operand
 * is passed as a pointer: buffers and JavaCPP pointers as views (no copy), and any Java arrays
 * among them copied into temporary native memory (outputs copied back by {@link #finish()}).
 * Temporary memory is freed by {@link #close()}.
 */
final class Operands implements AutoCloseable {
    enum Mode { FLOAT_ARRAYS, DOUBLE_ARRAYS, POINTERS }

    final Mode mode;
    final DType dtype;
    private final List<Pointer> temporaries = new ArrayList<>();
    private final List<Runnable> copyBacks = new ArrayList<>();
    private final Tensor[] tensors;  // reachable until close(): their views keep the caller's memory alive

    Operands(DType dtype, Tensor... tensors) {
        this.dtype = dtype;
        this.tensors = tensors;
        boolean allArrays = true;
        for (Tensor t : tensors) {
            if (t != null && !t.isArray()) {
                allArrays = false;
            }
        }
        this.mode = !allArrays ? Mode.POINTERS : dtype == DType.FLOAT32 ? Mode.FLOAT_ARRAYS : Mode.DOUBLE_ARRAYS;
    }

    boolean arrays() {
        return mode != Mode.POINTERS;
    }

    /** An input tensor in the call's form: its pinned array (array modes) or a pointer; null stays null. */
    Object input(Tensor t) {
        return t == null ? null : arrays() ? t.array() : in(t);
    }

    /** An output tensor in the call's form: its array (array modes) or a pointer filled back by {@link #finish()}. */
    Object output(Tensor t) {
        return output(t, false);
    }

    /**
     * An output tensor in the call's form; {@code readToo}: the call also reads what it holds (it adds
     * into it), so a Java array staged in native memory is copied there first.
     */
    Object output(Tensor t, boolean readToo) {
        return t == null ? null : arrays() ? t.array() : out(t, readToo);
    }

    /** An index array input ({@code long[]} in array modes, native memory otherwise); null stays null. */
    Object indices(long[] values) {
        return arrays() ? values : longs(values);
    }

    /** An index array output, filled by the call (copied back by {@link #finish()} in pointer mode). */
    Object indicesOut(long[] target) {
        if (arrays()) {
            return target;
        }
        final LongPointer p = keep(new LongPointer(Math.max(1, target.length)));
        copyBacks.add(() -> p.get(target));
        return p;
    }

    /** An input tensor as a pointer (pointer mode). */
    private Pointer in(Tensor t) {
        if (t == null) {
            return null;
        }
        switch (t.storage()) {
            case BUFFER:  // slice(): a pointer at the buffer's position (JavaCPP keeps no offset for it)
                return view(t.dtype() == DType.FLOAT32 ? new FloatPointer(((FloatBuffer) t.buffer()).slice())
                        : new DoublePointer(((DoubleBuffer) t.buffer()).slice()));
            case POINTER:
            case DEVICE: return view(t.pointer());
            default: return keep(t.dtype() == DType.FLOAT32
                    ? new FloatPointer((float[]) t.array()) : new DoublePointer((double[]) t.array()));
        }
    }

    /** An output tensor as a pointer (pointer mode); Java arrays are filled by {@link #finish()}. */
    private Pointer out(Tensor t, boolean readToo) {
        if (t == null || !t.isArray()) {
            return in(t);
        }
        if (t.dtype() == DType.FLOAT32) {
            final float[] target = (float[]) t.array();
            final FloatPointer p = keep(readToo ? new FloatPointer(target) : new FloatPointer(target.length));
            copyBacks.add(() -> p.get(target));
            return p;
        }
        final double[] target = (double[]) t.array();
        final DoublePointer p = keep(readToo ? new DoublePointer(target) : new DoublePointer(target.length));
        copyBacks.add(() -> p.get(target));
        return p;
    }

    /** A small vector of the call's dtype (log Z, upstream gradients, scores) in the mode's form. */
    Object vector(double[] values) {
        if (mode == Mode.FLOAT_ARRAYS) {
            final float[] f = new float[values.length];
            for (int k = 0; k < f.length; k++) {
                f[k] = (float) values[k];
            }
            return f;
        }
        if (mode == Mode.DOUBLE_ARRAYS) {
            return values.clone();
        }
        if (dtype == DType.FLOAT32) {
            final FloatPointer p = keep(new FloatPointer(values.length));
            for (int k = 0; k < values.length; k++) {
                p.put(k, (float) values[k]);
            }
            return p;
        }
        return keep(new DoublePointer(values));
    }

    /** Reads back a vector made by {@link #vector} after the call, as doubles. */
    static double[] read(Object vector, int n) {
        final double[] out = new double[n];
        if (vector instanceof float[]) {
            final float[] f = (float[]) vector;
            for (int k = 0; k < n; k++) {
                out[k] = f[k];
            }
        } else if (vector instanceof double[]) {
            System.arraycopy((double[]) vector, 0, out, 0, n);
        } else if (vector instanceof FloatPointer) {
            for (int k = 0; k < n; k++) {
                out[k] = ((FloatPointer) vector).get(k);
            }
        } else {
            ((DoublePointer) vector).get(out);
        }
        return out;
    }

    /** An index array as native memory (pointer mode); null stays null. */
    private LongPointer longs(long[] values) {
        return values == null ? null : keep(new LongPointer(values));
    }

    /** Copies pointer-mode outputs back into their Java arrays; call after a successful native call. */
    void finish() {
        for (Runnable r : copyBacks) {
            r.run();
        }
    }

    @Override
    public void close() {
        for (Pointer p : temporaries) {
            p.close();
        }
        temporaries.clear();
        java.lang.ref.Reference.reachabilityFence(tensors);
    }

    private <P extends Pointer> P keep(P p) {
        temporaries.add(p);
        return p;
    }

    /**
     * A position-0 view at the element the pointer's position designates (void* arguments ignore
     * positions). The tensor's own pointer is already such a view; its memory stays reachable through
     * the tensors this object holds until {@link #close()}.
     */
    private static Pointer view(Pointer p) {
        final long at = p.address() + p.position() * p.sizeof();
        return new Pointer() {
            {
                address = at;
            }
        };
    }
}
