package dev.kickback.flink;

import dev.kickback.api.Network;
import dev.kickback.io.ModelFile;
import dev.kickback.io.ModelFormatException;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a {@link KeyModel} into Flink state (checkpoints, savepoints, RocksDB values). Format 2,
 * big-endian as Flink's data views are:
 *
 * <pre>
 * i32      n, the length of the model
 * n bytes  the network in the model file format ({@link ModelFile}, with its own version and
 *          CRC32C; no standardization)
 * i64 x 3  version (steps), trained (samples), rejected (records)
 * f64 x 3  target mean, target M2, sum of squared errors; i64 recent count; f64 recent sum
 * i32      micro-batch size B; i32 pending p &lt;= B
 * p times  i64 record number, f32 target, f32 prediction, inputWidth x f32 inputs
 * from format 2 on, the stability policy's part (class Stability; format 1 state restores
 * with a rate scale of 1 and no best yet):
 * f32      the rate scale, in (0, 1]
 * f64      the current window's sum of squared errors; i32 its samples
 * f64      the best window's NMSE (+infinity: none yet); i32 windows since it
 * i32      m, the length of the best window's model (0: none); m bytes, model file format
 * i64      processing time (ms) the first pending sample arrived, for a timed flush (0: none)
 * </pre>
 *
 * <p>The format version is recorded in the serializer's {@link Snapshot}, which Flink stores
 * with every checkpoint and savepoint. A later format restores an old checkpoint by reading it
 * with the serializer of the old format ({@link Snapshot#restoreSerializer()}) and telling Flink
 * the state needs migration; a checkpoint of a format newer than this code is refused with an
 * error naming both versions, before any state is read.
 */
public final class KeyModelSerializer extends TypeSerializer<KeyModel> {
  private static final long serialVersionUID = 1L;

  /** The state format this code writes. */
  public static final int FORMAT = 2;

  private final int readFormat;

  /** The serializer of the current format. */
  public KeyModelSerializer() {
    this(FORMAT);
  }

  private KeyModelSerializer(int readFormat) {
    this.readFormat = readFormat;
  }

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<KeyModel> duplicate() {
    return this; // stateless
  }

  @Override
  public KeyModel createInstance() {
    return null; // a key without state has no model; the learner makes one from its config
  }

  @Override
  public KeyModel copy(KeyModel from) {
    return from.copy();
  }

  @Override
  public KeyModel copy(KeyModel from, KeyModel reuse) {
    return from.copy();
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(KeyModel m, DataOutputView out) throws IOException {
    byte[] model = ModelFile.encode(m.net, null);
    out.writeInt(model.length);
    out.write(model);
    out.writeLong(m.version);
    out.writeLong(m.trained);
    out.writeLong(m.rejected);
    out.writeDouble(m.targetMean);
    out.writeDouble(m.targetM2);
    out.writeDouble(m.sse);
    out.writeLong(m.recentCount);
    out.writeDouble(m.recentSse);
    out.writeInt(m.batch());
    out.writeInt(m.pending);
    int d = m.net.spec().inputWidth();
    for (int i = 0; i < m.pending; i++) {
      out.writeLong(m.seq[i]);
      out.writeFloat(m.y[i]);
      out.writeFloat(m.predicted[i]);
      for (int j = 0; j < d; j++) {
        out.writeFloat(m.x[i * d + j]);
      }
    }
    out.writeFloat(m.rateScale);
    out.writeDouble(m.windowSse);
    out.writeInt(m.windowCount);
    out.writeDouble(m.bestNmse);
    out.writeInt(m.windowsSinceBest);
    byte[] best = m.best == null ? new byte[0] : ModelFile.encode(m.best, null);
    out.writeInt(best.length);
    out.write(best);
    out.writeLong(m.pendingSince);
  }

  @Override
  public KeyModel deserialize(DataInputView in) throws IOException {
    if (readFormat < 1 || readFormat > FORMAT) {
      throw new IOException("Kickback key state format " + readFormat
          + ": this code reads formats 1 to " + FORMAT);
    }
    Network net = readModel(in, false);
    long version = in.readLong();
    long trained = in.readLong();
    long rejected = in.readLong();
    double targetMean = in.readDouble();
    double targetM2 = in.readDouble();
    double sse = in.readDouble();
    long recentCount = in.readLong();
    double recentSse = in.readDouble();
    int batch = in.readInt();
    int pending = in.readInt();
    if (batch < 1 || pending < 0 || pending > batch) {
      throw new IOException("Kickback key state: " + pending + " pending samples in a batch of "
          + batch);
    }
    KeyModel m = new KeyModel(net, batch);
    m.version = version;
    m.trained = trained;
    m.rejected = rejected;
    m.targetMean = targetMean;
    m.targetM2 = targetM2;
    m.sse = sse;
    m.recentCount = recentCount;
    m.recentSse = recentSse;
    m.pending = pending;
    int d = net.spec().inputWidth();
    for (int i = 0; i < pending; i++) {
      m.seq[i] = in.readLong();
      m.y[i] = in.readFloat();
      m.predicted[i] = in.readFloat();
      for (int j = 0; j < d; j++) {
        m.x[i * d + j] = in.readFloat();
      }
    }
    if (readFormat >= 2) {
      float scale = in.readFloat();
      if (!(scale > 0 && scale <= 1)) {
        throw new IOException("Kickback key state: rate scale " + scale + " is out of (0, 1]");
      }
      m.rateScale = scale;
      m.windowSse = in.readDouble();
      m.windowCount = in.readInt();
      m.bestNmse = in.readDouble();
      m.windowsSinceBest = in.readInt();
      m.best = readModel(in, true);
      if (m.best != null && !m.best.spec().equals(net.spec())) {
        throw new IOException("Kickback key state: the best model's network differs from the"
            + " model's: " + m.best.spec().differenceFrom(net.spec()));
      }
      m.pendingSince = in.readLong();
    }
    return m;
  }

  /** A length-prefixed model; with {@code optional}, length 0 is none (null). */
  private static Network readModel(DataInputView in, boolean optional) throws IOException {
    int n = in.readInt();
    if (optional && n == 0) {
      return null;
    }
    if (n < 0 || n > Integer.MAX_VALUE - 8) {
      throw new IOException("Kickback key state: model length " + n + " is out of range");
    }
    byte[] bytes = new byte[n];
    in.readFully(bytes);
    try {
      return ModelFile.decode(bytes).network();
    } catch (ModelFormatException e) {
      throw new IOException("Kickback key state: " + e.getMessage(), e);
    }
  }

  @Override
  public KeyModel deserialize(KeyModel reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyModelSerializer s && s.readFormat == readFormat;
  }

  @Override
  public int hashCode() {
    return readFormat;
  }

  @Override
  public TypeSerializerSnapshot<KeyModel> snapshotConfiguration() {
    return new Snapshot(readFormat);
  }

  /**
   * What Flink stores about the serializer with every checkpoint: the state format the state was
   * written in.
   */
  public static final class Snapshot implements TypeSerializerSnapshot<KeyModel> {
    /** The layout of this snapshot itself (one int). */
    private static final int SNAPSHOT_VERSION = 1;

    private int format;

    /** For Flink, which creates snapshots by reflection before {@link #readSnapshot}. */
    public Snapshot() {
      this(FORMAT);
    }

    Snapshot(int format) {
      this.format = format;
    }

    /** The state format of the checkpoint this snapshot came from. */
    public int format() {
      return format;
    }

    @Override
    public int getCurrentVersion() {
      return SNAPSHOT_VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
      out.writeInt(format);
    }

    @Override
    public void readSnapshot(int version, DataInputView in, ClassLoader loader)
        throws IOException {
      if (version != SNAPSHOT_VERSION) {
        throw new IOException("Kickback key state serializer snapshot version " + version
            + ": this code reads version " + SNAPSHOT_VERSION);
      }
      int f = in.readInt();
      if (f < 1 || f > FORMAT) {
        throw new IOException("Kickback key state format " + f + " was written by a newer"
            + " kickback-flink: this code reads formats 1 to " + FORMAT);
      }
      format = f;
    }

    @Override
    public TypeSerializer<KeyModel> restoreSerializer() {
      return new KeyModelSerializer(format);
    }

    @Override
    public TypeSerializerSchemaCompatibility<KeyModel> resolveSchemaCompatibility(
        TypeSerializerSnapshot<KeyModel> old) {
      if (!(old instanceof Snapshot s)) {
        return TypeSerializerSchemaCompatibility.incompatible();
      }
      return s.format == format ? TypeSerializerSchemaCompatibility.compatibleAsIs()
          : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
    }
  }
}
