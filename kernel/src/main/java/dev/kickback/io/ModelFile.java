package dev.kickback.io;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The model file format, version 1. All numbers little-endian.
 *
 * <pre>
 * offset  size        field
 * 0       8           magic "KBKJMODL" (ASCII)
 * 8       4           format version, u32 = 1
 * 12      4           input width d, i32 in [1, 2^20]
 * 16      4           hidden layers L, i32 in [0, 64]
 * 20      4 L         hidden widths, i32 each in [1, 2^20]
 *         1           head: 0 = PAIR, 1 = LINEAR
 *         1           coherence: 0 = FREE, 1 = COHERENT
 *         sum ceil(n_l / 8)  unit signs per hidden layer, bit j of the layer's bytes
 *                     (least significant first) set = +1, clear = -1
 *         1           standardization present: 0 or 1
 *         if 1: 8 d   input means, f64;  8 d  input standard deviations, f64 (> 0);
 *               8     target mean, f64;  8    target standard deviation, f64 (> 0)
 *         per weight layer l = 0..L: width(l) x fanIn(l) weights row-major, then width(l)
 *                     biases, f32, all finite
 * end-4   4           CRC32C of every preceding byte, u32
 * </pre>
 *
 * <p>{@link #load} checks the header's sizes against the file's length before allocating
 * anything proportional to them, then the CRC, then every value; it throws
 * {@link ModelFormatException} (and only that, besides I/O errors) for anything invalid, and
 * never returns a partly read model. {@link #save} writes a temporary file in the same folder,
 * forces it to disk and renames it over the target atomically: a crash at any point leaves
 * either the old file or the new one.
 */
public final class ModelFile {
  /** The format version this code writes and reads. */
  public static final int VERSION = 1;

  static final byte[] MAGIC = "KBKJMODL".getBytes(StandardCharsets.US_ASCII);
  static final int MAX_WIDTH = NetworkSpec.MAX_WIDTH;
  static final int MAX_HIDDEN = NetworkSpec.MAX_HIDDEN_LAYERS;
  /** Larger files are refused before reading: 2 GiB, the most one byte array holds. */
  static final long MAX_FILE = Integer.MAX_VALUE - 8;

  private ModelFile() {}

  /** A loaded model: the network and, if it was saved with one, its standardization. */
  public record Model(Network network, Standardization standardization) {}

  /** Encodes a model; {@code std} may be null. */
  public static byte[] encode(Network net, Standardization std) {
    Objects.requireNonNull(net, "net");
    NetworkSpec spec = net.spec();
    if (std != null && std.width() != spec.inputWidth()) {
      throw new IllegalArgumentException("standardization for " + std.width()
          + " inputs, network takes " + spec.inputWidth());
    }
    int hidden = spec.hiddenLayers();
    long size = 8 + 4 + 4 + 4 + 4L * hidden + 2 + 1 + 4;
    for (int l = 0; l < hidden; l++) {
      size += (spec.width(l) + 7) / 8;
    }
    if (std != null) {
      size += 16L * spec.inputWidth() + 16;
    }
    size += 4 * spec.parameterCount();
    if (size > MAX_FILE) {
      throw new IllegalArgumentException("model of " + size + " bytes exceeds the format's"
          + " limit of " + MAX_FILE);
    }
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(VERSION).putInt(spec.inputWidth()).putInt(hidden);
    for (int l = 0; l < hidden; l++) {
      b.putInt(spec.width(l));
    }
    b.put((byte) (spec.head() == Head.PAIR ? 0 : 1));
    b.put((byte) (spec.coherence() == Coherence.FREE ? 0 : 1));
    for (int l = 0; l < hidden; l++) {
      byte[] bits = new byte[(spec.width(l) + 7) / 8];
      for (int j = 0; j < spec.width(l); j++) {
        if (spec.sign(l, j) > 0) {
          bits[j / 8] |= (byte) (1 << (j % 8));
        }
      }
      b.put(bits);
    }
    b.put((byte) (std == null ? 0 : 1));
    if (std != null) {
      for (double v : std.inputMean()) {
        b.putDouble(v);
      }
      for (double v : std.inputSd()) {
        b.putDouble(v);
      }
      b.putDouble(std.targetMean()).putDouble(std.targetSd());
    }
    for (int l = 0; l < spec.layers(); l++) {
      for (float v : net.weights(l)) {
        b.putFloat(v);
      }
      for (float v : net.biases(l)) {
        b.putFloat(v);
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** Decodes a model, validating everything; see the class comment. */
  public static Model decode(byte[] bytes) throws ModelFormatException {
    Objects.requireNonNull(bytes, "bytes");
    long length = bytes.length;
    Reader r = new Reader(bytes);
    r.need(8 + 4 + 4 + 4 + 4, "the fixed header");
    if (!java.util.Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw notAModel();
    }
    r.pos = 8;
    int version = r.getInt();
    if (version != VERSION) {
      throw new ModelFormatException("format version " + Integer.toUnsignedString(version)
          + " is not supported; this library reads version " + VERSION);
    }
    int d = r.getInt();
    checkRange("input width", d, 1, MAX_WIDTH);
    int hidden = r.getInt();
    checkRange("hidden layer count", hidden, 0, MAX_HIDDEN);
    r.need(4L * hidden + 2, "the layer widths");
    int[] widths = new int[hidden];
    long signBytes = 0;
    for (int l = 0; l < hidden; l++) {
      widths[l] = r.getInt();
      checkRange("hidden width " + l, widths[l], 1, MAX_WIDTH);
      signBytes += (widths[l] + 7) / 8;
    }
    int headCode = r.get();
    int cohCode = r.get();
    if (headCode > 1) {
      throw new ModelFormatException("head code " + headCode + " at byte " + (r.pos - 2)
          + ": expected 0 (PAIR) or 1 (LINEAR)");
    }
    if (cohCode > 1) {
      throw new ModelFormatException("coherence code " + cohCode + " at byte " + (r.pos - 1)
          + ": expected 0 (FREE) or 1 (COHERENT)");
    }
    Head head = headCode == 0 ? Head.PAIR : Head.LINEAR;
    // Everything the header implies, in long arithmetic, before allocating any of it.
    long params = 0;
    long fanIn = d;
    for (int l = 0; l <= hidden; l++) {
      long width = l < hidden ? widths[l] : head.width();
      params += width * fanIn + width;
      fanIn = width;
    }
    r.need(signBytes + 1, "the unit signs");
    int signsAt = r.pos;
    r.pos += (int) signBytes;
    int hasStd = r.get();
    if (hasStd > 1) {
      throw new ModelFormatException("standardization flag " + hasStd + " at byte "
          + (r.pos - 1) + ": expected 0 or 1");
    }
    long stdBytes = hasStd == 1 ? 16L * d + 16 : 0;
    long expected = r.pos + stdBytes + 4 * params + 4;
    if (expected != length) {
      throw new ModelFormatException("the header describes " + params + " parameters in a "
          + expected + "-byte file, but the file has " + length + " bytes"
          + (length < expected ? " (truncated?)" : " (trailing data?)"));
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN)
        .getInt();
    if (stored != (int) crc.getValue()) {
      throw new ModelFormatException(String.format("checksum mismatch: stored CRC32C %08x,"
          + " computed %08x; the file is corrupted", stored, (int) crc.getValue()));
    }
    int[][] signs = new int[hidden][];
    int at = signsAt;
    for (int l = 0; l < hidden; l++) {
      signs[l] = new int[widths[l]];
      for (int j = 0; j < widths[l]; j++) {
        signs[l][j] = (bytes[at + j / 8] >> (j % 8) & 1) == 1 ? 1 : -1;
      }
      at += (widths[l] + 7) / 8;
    }
    Standardization std = null;
    if (hasStd == 1) {
      double[] mean = new double[d];
      double[] sd = new double[d];
      for (int i = 0; i < d; i++) {
        mean[i] = r.getDouble();
      }
      for (int i = 0; i < d; i++) {
        sd[i] = r.getDouble();
      }
      double ym = r.getDouble();
      double ys = r.getDouble();
      try {
        std = new Standardization(mean, sd, ym, ys);
      } catch (IllegalArgumentException e) {
        throw new ModelFormatException("invalid standardization: " + e.getMessage());
      }
    }
    NetworkSpec spec = NetworkSpec.builder(d).hidden(widths).signs(signs).head(head)
        .coherence(cohCode == 0 ? Coherence.FREE : Coherence.COHERENT).build();
    float[][] w = new float[spec.layers()][];
    float[][] b = new float[spec.layers()][];
    for (int l = 0; l < spec.layers(); l++) {
      w[l] = r.floats(spec.weightCount(l), "weights of layer " + l);
      b[l] = r.floats(spec.width(l), "biases of layer " + l);
    }
    return new Model(Network.of(spec, w, b), std);
  }

  private static void checkRange(String what, int v, int min, int max)
      throws ModelFormatException {
    if (v < min || v > max) {
      throw new ModelFormatException(what + " = " + v + ": must be in [" + min + ", " + max
          + "]");
    }
  }

  /**
   * Saves atomically: temporary file, fsync, rename over {@code path}, fsync the folder. The
   * file gets the permissions a plain new file gets (the umask applies), so that a model one
   * user trains another can serve.
   */
  public static void save(Path path, Network net, Standardization std) throws IOException {
    writeAtomically(path, encode(net, std));
  }

  /**
   * Writes {@code bytes} to {@code path} as {@link #save} writes a model: a temporary file beside
   * it, forced to disk, renamed over {@code path}; a crash leaves the old file or the new one.
   *
   * @throws IOException if the file cannot be written
   */
  public static void writeAtomically(Path path, byte[] bytes) throws IOException {
    Path abs = path.toAbsolutePath();
    Path dir = abs.getParent();
    Path tmp = temporary(abs);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot save " + abs + " atomically: the file system does not"
            + " support atomic rename", e);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true); // the rename itself reaches the disk
    } catch (IOException e) {
      // some platforms cannot open a folder; the file itself is already durable
    }
  }

  /**
   * Fails, naming {@code path}, unless a model could be saved there: what {@link #save} does
   * first (a new file beside it) is tried and undone. For checks before long work.
   *
   * @throws IOException why no model can be saved at {@code path}
   */
  public static void checkWritable(Path path) throws IOException {
    Files.delete(temporary(path.toAbsolutePath()));
  }

  /** A new empty file beside {@code abs}, created as a plain file is (the umask applies). */
  private static Path temporary(Path abs) throws IOException {
    Path dir = abs.getParent();
    Path tmp = dir.resolve(abs.getFileName() + "." + Long.toUnsignedString(
        java.util.concurrent.ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
    try {
      FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
    } catch (IOException e) {
      throw new IOException("cannot save " + abs + ": cannot create a file in " + dir + " ("
          + (e.getMessage() == null ? e : e.getClass().getSimpleName() + ": "
          + e.getMessage()) + ")", e);
    }
    return tmp;
  }

  /**
   * Loads and validates {@code path}. Refused at once, before any large read: a path that is
   * not a regular file (a directory, a device such as /dev/zero, also behind a symbolic link),
   * a file larger than any model, and a file that does not start with the magic bytes.
   */
  public static Model load(Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "no such model file");
    }
    if (!Files.isRegularFile(path)) {
      throw new ModelFormatException(path + ": not a regular file"
          + (Files.isDirectory(path) ? " (a directory)" : " (a device or a pipe?)"));
    }
    long size = Files.size(path);
    if (size > MAX_FILE) {
      throw new ModelFormatException(path + ": " + size + " bytes is larger than any model"
          + " this format can hold");
    }
    try (java.io.InputStream in = Files.newInputStream(path)) {
      byte[] start = in.readNBytes(MAGIC.length);
      if (start.length == MAGIC.length && !java.util.Arrays.equals(start, MAGIC)) {
        throw notAModel(); // before reading the rest of what may be a huge file
      }
      byte[] all = new byte[(int) size];
      System.arraycopy(start, 0, all, 0, start.length);
      int n = in.readNBytes(all, start.length, all.length - start.length);
      return decode(n + start.length == all.length ? all : java.util.Arrays.copyOf(all,
          n + start.length));
    } catch (ModelFormatException e) {
      throw new ModelFormatException(path + ": " + e.getMessage());
    }
  }

  private static ModelFormatException notAModel() {
    return new ModelFormatException("not a Kickback-J model: the file does not start with \""
        + new String(MAGIC, StandardCharsets.US_ASCII) + "\"");
  }

  /** Bounds-checked little-endian reads that fail with the byte offset. */
  private static final class Reader {
    final byte[] bytes;
    final ByteBuffer buf;
    int pos;

    Reader(byte[] bytes) {
      this.bytes = bytes;
      this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    void need(long n, String what) throws ModelFormatException {
      if (pos + n > bytes.length - 4L) {
        throw new ModelFormatException("file too short for " + what + ": needs " + n
            + " bytes at offset " + pos + ", the file has " + bytes.length);
      }
    }

    int get() {
      return bytes[pos++] & 0xff;
    }

    int getInt() {
      int v = buf.getInt(pos);
      pos += 4;
      return v;
    }

    double getDouble() {
      double v = buf.getDouble(pos);
      pos += 8;
      return v;
    }

    float[] floats(int n, String what) throws ModelFormatException {
      float[] out = new float[n];
      for (int i = 0; i < n; i++) {
        out[i] = buf.getFloat(pos);
        if (!Float.isFinite(out[i])) {
          throw new ModelFormatException(what + "[" + i + "] = " + out[i] + " at byte " + pos
              + ": parameters must be finite");
        }
        pos += 4;
      }
      return out;
    }
  }
}
