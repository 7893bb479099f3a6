package dev.kickback.flink;

import java.util.List;

/** A {@link KeyLearner.Outputs} that appends everything to one list, in order. */
record Collect(List<Object> list) implements KeyLearner.Outputs {
  static Collect into(List<Object> list) {
    return new Collect(list);
  }

  @Override
  public void prediction(Prediction p) {
    list.add(p);
  }

  @Override
  public void nmse(NmseReport r) {
    list.add(r);
  }

  @Override
  public void rejected(Rejected r) {
    list.add(r);
  }

  @Override
  public void snapshot(ModelSnapshot s) {
    list.add(s.key() + "@" + s.version());
  }
}
