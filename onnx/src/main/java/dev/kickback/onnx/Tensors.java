package dev.kickback.onnx;

import dev.kickback.api.NetworkSpec;
import dev.kickback.onnx.proto.OnnxSubset.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reads the dense tensors of an untrusted file. Every claim is checked against what the file
 * holds before anything proportional to it is allocated: the dimensions (none negative, their
 * product at most {@link #MAX_ELEMENTS}), then the byte or element count of the data against that
 * product. Data kept outside the file is refused.
 */
final class Tensors {
  /** No tensor of a model the kernel can hold is larger: its parameter limit. */
  static final long MAX_ELEMENTS = NetworkSpec.MAX_PARAMETERS;

  private Tensors() {}

  /** A tensor's dimensions and its values, as doubles (exact for float and int32 data). */
  record Tensor(String name, long[] dims, int type, double[] values) {
    long elements() {
      return values.length;
    }

    int rank() {
      return dims.length;
    }

    String shape() {
      return Arrays.toString(dims);
    }
  }

  static Tensor read(TensorProto t, String what) throws OnnxFormatException {
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
      throw new OnnxFormatException(what + " keeps its data in an external file, which this"
          + " importer does not read: save the model with its weights inside the .onnx file");
    }
    long[] dims = new long[t.getDimsCount()];
    long n = 1;
    for (int i = 0; i < dims.length; i++) {
      dims[i] = t.getDims(i);
      if (dims[i] < 0) {
        throw new OnnxFormatException(what + " has a negative dimension: " + dimsOf(t));
      }
      if (dims[i] != 0 && n > MAX_ELEMENTS / dims[i]) {
        throw new OnnxFormatException(what + " claims dimensions " + dimsOf(t) + ", more than the "
            + MAX_ELEMENTS + " elements of the largest network");
      }
      n *= dims[i];
    }
    if (n > MAX_ELEMENTS) {
      throw new OnnxFormatException(what + " claims dimensions " + dimsOf(t) + ", more than the "
          + MAX_ELEMENTS + " elements of the largest network");
    }
    int count = (int) n;
    int type = t.getDataType();
    int width = switch (type) {
      case TensorProto.DataType.FLOAT_VALUE, TensorProto.DataType.INT32_VALUE -> 4;
      case TensorProto.DataType.DOUBLE_VALUE, TensorProto.DataType.INT64_VALUE -> 8;
      default -> throw new OnnxFormatException(what + " has element type " + typeName(type)
          + ": only float, double, int32 and int64 tensors are read");
    };
    double[] v;
    if (!t.getRawData().isEmpty()) {
      long bytes = (long) count * width;
      if (t.getRawData().size() != bytes) {
        throw new OnnxFormatException(what + " of dimensions " + dimsOf(t) + " and type "
            + typeName(type) + " needs " + bytes + " bytes of raw data but holds "
            + t.getRawData().size());
      }
      v = new double[count];
      ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < count; i++) {
        v[i] = switch (type) {
          case TensorProto.DataType.FLOAT_VALUE -> b.getFloat();
          case TensorProto.DataType.INT32_VALUE -> b.getInt();
          case TensorProto.DataType.DOUBLE_VALUE -> b.getDouble();
          default -> b.getLong();
        };
      }
    } else {
      int held = switch (type) {
        case TensorProto.DataType.FLOAT_VALUE -> t.getFloatDataCount();
        case TensorProto.DataType.INT32_VALUE -> t.getInt32DataCount();
        case TensorProto.DataType.DOUBLE_VALUE -> t.getDoubleDataCount();
        default -> t.getInt64DataCount();
      };
      if (held != count) {
        throw new OnnxFormatException(what + " of dimensions " + dimsOf(t) + " needs " + count
            + " " + typeName(type) + " values but holds " + held);
      }
      v = new double[count];
      for (int i = 0; i < count; i++) {
        v[i] = switch (type) {
          case TensorProto.DataType.FLOAT_VALUE -> t.getFloatData(i);
          case TensorProto.DataType.INT32_VALUE -> t.getInt32Data(i);
          case TensorProto.DataType.DOUBLE_VALUE -> t.getDoubleData(i);
          default -> t.getInt64Data(i);
        };
      }
    }
    return new Tensor(t.getName(), dims, type, v);
  }

  static String typeName(int type) {
    return switch (type) {
      case 0 -> "UNDEFINED";
      case 1 -> "FLOAT";
      case 2 -> "UINT8";
      case 3 -> "INT8";
      case 4 -> "UINT16";
      case 5 -> "INT16";
      case 6 -> "INT32";
      case 7 -> "INT64";
      case 8 -> "STRING";
      case 9 -> "BOOL";
      case 10 -> "FLOAT16";
      case 11 -> "DOUBLE";
      case 16 -> "BFLOAT16";
      default -> "type " + type;
    };
  }

  private static String dimsOf(TensorProto t) {
    return t.getDimsList().toString();
  }
}
