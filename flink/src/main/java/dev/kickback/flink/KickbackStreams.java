package dev.kickback.flink;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** Wiring: the learner and the server into a job, with fixed operator ids for savepoints. */
public final class KickbackStreams {
  /** The learner's operator id: keep it to restore its state from a savepoint. */
  public static final String LEARNER_UID = "kickback-learner";
  /** The server's operator id. */
  public static final String SERVER_UID = "kickback-server";

  private KickbackStreams() {}

  /**
   * The learner's outputs.
   *
   * @param predictions one per record the learner used
   * @param nmse each key's prequential NMSE
   * @param rejected records not used, with the reason
   * @param snapshots published models, for {@link #serve}
   */
  public record Learning(SingleOutputStreamOperator<Prediction> predictions,
      DataStream<NmseReport> nmse, DataStream<Rejected> rejected,
      DataStream<ModelSnapshot> snapshots) {}

  /** Keys {@code samples} by {@link Sample#key()} and learns one model per key. */
  public static Learning learn(DataStream<Sample> samples, LearnerConfig config) {
    SingleOutputStreamOperator<Prediction> p = samples.keyBy(Sample::key, Types.STRING)
        .transform("kickback learner", TypeInformation.of(Prediction.class),
            new LearnerOperator(new OnlineLearner(config), config))
        .uid(LEARNER_UID)
        .name("kickback learner");
    return new Learning(p, p.getSideOutput(OnlineLearner.NMSE),
        p.getSideOutput(OnlineLearner.REJECTED), p.getSideOutput(OnlineLearner.SNAPSHOTS));
  }

  /**
   * Answers {@code queries} with the newest of {@code snapshots} for each key, at the queries'
   * parallelism; rejected queries are the result's side output {@link OnlineLearner#REJECTED}.
   */
  public static SingleOutputStreamOperator<Served> serve(DataStream<Sample> queries,
      DataStream<ModelSnapshot> snapshots) {
    return queries.connect(snapshots.broadcast(SnapshotServer.MODELS))
        .process(new SnapshotServer())
        .uid(SERVER_UID)
        .name("kickback server");
  }
}
