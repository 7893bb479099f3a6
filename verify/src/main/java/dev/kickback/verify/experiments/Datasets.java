package dev.kickback.verify.experiments;

import dev.kickback.cli.data.Task;
import java.util.ArrayList;
import java.util.List;

/** The SPEC's datasets: 7 SARCOS torques, 6 UR10 torques, power plant, concrete. */
public final class Datasets {
  private Datasets() {}

  /** Every task, in report order. */
  public static List<Task> all() {
    List<Task> tasks = new ArrayList<>();
    for (int j = 0; j < 7; j++) {
      tasks.add(new Task("sarcos-j" + (j + 1), "sarcos/sarcos_inv_test.csv", 21 + j, range(21)));
    }
    for (int j = 0; j < 6; j++) {
      tasks.add(new Task("ur10-j" + (j + 1), "ur10/URpickNplace.csv", 18 + j, range(18)));
    }
    tasks.add(new Task("power-plant", "uci/power-plant.txt", 4, range(4)));
    tasks.add(new Task("concrete", "uci/concrete.txt", 8, range(8)));
    return tasks;
  }

  public static Task byName(String name) {
    return all().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(
        () -> new IllegalArgumentException("unknown task " + name));
  }

  private static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }
}
