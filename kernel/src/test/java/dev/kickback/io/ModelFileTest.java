package dev.kickback.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kickback.api.Coherence;
import dev.kickback.api.Head;
import dev.kickback.api.Network;
import dev.kickback.api.NetworkSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {

  static Network model(long seed) {
    NetworkSpec spec = NetworkSpec.builder(5).hidden(9, 3).signs(
        new int[] {1, -1, 1, 1, -1, -1, 1, -1, 1}, new int[] {-1, 1, 1})
        .head(Head.PAIR).coherence(Coherence.COHERENT).build();
    return Network.initialize(spec, seed);
  }

  static Standardization std() {
    return new Standardization(new double[] {1, 2, 3, 4, 5}, new double[] {.5, 1, 2, 3, 4},
        10, 2.5);
  }

  static void assertSameModel(Network want, Network got) {
    assertEquals(want.spec().toString(), got.spec().toString());
    for (int l = 0; l < want.spec().layers(); l++) {
      for (int j = 0; j < want.spec().width(l); j++) {
        assertEquals(want.spec().sign(l, j), got.spec().sign(l, j));
      }
      assertArrayEquals(want.weights(l), got.weights(l), 0f);
      assertArrayEquals(want.biases(l), got.biases(l), 0f);
    }
  }

  @Test
  void nonModelsAreRefusedBeforeTheyAreRead(@TempDir Path dir) throws IOException {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.load(dir));
    assertEquals(dir + ": not a regular file (a directory)", e.getMessage());
    Path zero = Path.of("/dev/zero");
    if (Files.exists(zero)) {
      Path link = Files.createSymbolicLink(dir.resolve("model.kbk"), zero);
      e = assertThrows(ModelFormatException.class, () -> ModelFile.load(link));
      assertEquals(link + ": not a regular file (a device or a pipe?)", e.getMessage());
    }
    // a large file that is not a model: refused on its first 8 bytes (sparse: no disk used)
    Path big = dir.resolve("big.bin");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(1L << 30);
    }
    e = assertThrows(ModelFormatException.class, () -> ModelFile.load(big));
    assertEquals(big + ": not a Kickback-J model: the file does not start with \"KBKJMODL\"",
        e.getMessage());
  }

  @Test
  void roundTripIsExact(@TempDir Path dir) throws IOException {
    Network net = model(1);
    Path f = dir.resolve("m.kbk");
    ModelFile.save(f, net, std());
    ModelFile.Model m = ModelFile.load(f);
    assertSameModel(net, m.network());
    assertEquals(std(), m.standardization());
    ModelFile.save(f, net, null);
    assertEquals(null, ModelFile.load(f).standardization());
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "temporary files left behind");
    }
  }

  @Test
  void everyTruncationIsRejected() {
    byte[] good = ModelFile.encode(model(2), std());
    for (int n = 0; n < good.length; n++) {
      byte[] cut = java.util.Arrays.copyOf(good, n);
      assertThrows(ModelFormatException.class, () -> ModelFile.decode(cut), "length " + n);
    }
  }

  @Test
  void everySingleBitFlipIsRejected() {
    byte[] good = ModelFile.encode(model(3), std());
    for (int i = 0; i < good.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] bad = good.clone();
        bad[i] ^= (byte) (1 << bit);
        assertThrows(ModelFormatException.class, () -> ModelFile.decode(bad),
            "byte " + i + " bit " + bit);
      }
    }
  }

  @Test
  void wrongVersionAndMagicAreNamed() {
    byte[] good = ModelFile.encode(model(4), null);
    byte[] v2 = good.clone();
    v2[8] = 2;
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> ModelFile.decode(v2));
    assertEquals("format version 2 is not supported; this library reads version 1",
        e.getMessage());
    byte[] other = good.clone();
    other[0] = 'X';
    e = assertThrows(ModelFormatException.class, () -> ModelFile.decode(other));
    assertEquals("not a Kickback-J model: the file does not start with \"KBKJMODL\"",
        e.getMessage());
  }

  /** A 40-byte file whose header claims a 2^20 x 2^20 layer: rejected, nothing allocated. */
  @Test
  void absurdSizesAreRejectedBeforeAllocating() {
    ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
    b.put(ModelFile.MAGIC).putInt(1).putInt(1 << 20).putInt(1).putInt(1 << 20);
    b.put((byte) 1).put((byte) 0);
    b.position(36);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, 36);
    b.putInt((int) crc.getValue());
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> ModelFile.decode(b.array()));
    assertTrue(e.getMessage().startsWith("file too short for the unit signs")
        || e.getMessage().contains("parameters in a"), e.getMessage());
    ByteBuffer huge = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
    huge.put(ModelFile.MAGIC).putInt(1).putInt(1 << 20).putInt(0).put((byte) 1).put((byte) 0)
        .put((byte) 0);
    e = assertThrows(ModelFormatException.class, () -> ModelFile.decode(huge.array()));
    assertEquals("the header describes 1048577 parameters in a 4194335-byte file, but the file"
        + " has 40 bytes (truncated?)", e.getMessage());
    ByteBuffer wide = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
    wide.put(ModelFile.MAGIC).putInt(1).putInt(Integer.MAX_VALUE);
    e = assertThrows(ModelFormatException.class, () -> ModelFile.decode(wide.array()));
    assertEquals("input width = 2147483647: must be in [1, 1048576]", e.getMessage());
  }

  @Test
  void nonFiniteParametersAreRejected() {
    byte[] good = ModelFile.encode(model(5), null);
    byte[] bad = good.clone();
    int at = good.length - 4 - 4; // the last bias
    ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, Float.NaN);
    CRC32C crc = new CRC32C();
    crc.update(bad, 0, bad.length - 4);
    ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(bad.length - 4,
        (int) crc.getValue());
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> ModelFile.decode(bad));
    assertEquals("biases of layer 2[1] = NaN at byte " + at + ": parameters must be finite",
        e.getMessage());
  }

  /**
   * A child JVM saves two models alternately into one file as fast as it can; we kill it at
   * random moments. Whatever the moment, the file then loads and is one of the two models.
   */
  @Test
  void killingASaveMidwayLeavesAValidFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("model.kbk");
    ModelFile.save(f, model(10), null);
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (int round = 0; round < 6; round++) {
      Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
          SaveLoop.class.getName(), f.toString()).redirectErrorStream(true).start();
      // wait for the child to start saving, then kill it at a random point
      byte[] hello = p.getInputStream().readNBytes(6);
      assertEquals("saving", new String(hello, java.nio.charset.StandardCharsets.US_ASCII));
      Thread.sleep(ThreadLocalRandom.current().nextInt(5, 120));
      p.destroyForcibly();
      assertTrue(p.waitFor(10, TimeUnit.SECONDS));
      Network got = ModelFile.load(f).network();
      boolean isA = java.util.Arrays.equals(got.weights(0), model(10).weights(0));
      boolean isB = java.util.Arrays.equals(got.weights(0), model(11).weights(0));
      assertTrue(isA || isB, "round " + round + ": the file is neither model");
      assertSameModel(isA ? model(10) : model(11), got);
    }
  }

  /** The child of the kill test. */
  public static final class SaveLoop {
    public static void main(String[] args) throws IOException {
      Path f = Path.of(args[0]);
      Network a = model(10);
      Network b = model(11);
      System.out.print("saving");
      System.out.flush();
      for (long i = 0; ; i++) {
        ModelFile.save(f, (i & 1) == 0 ? a : b, null);
      }
    }
  }
}
