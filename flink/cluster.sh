#!/usr/bin/env bash
# A standalone Flink cluster on this machine from the Maven-resolved Flink jars (flink-dist is not
# on Maven Central): a JobManager and TaskManagers, each its own JVM, on 127.0.0.1. Run through
# './kickback cluster', which sets JDK, JDK_MAJOR, ROOT and FLINK_JOB_JAR.
#
#   cluster start [N]       a JobManager and N TaskManagers (default 2, one slot each)
#   cluster taskmanager     one more TaskManager (e.g. to replace one that died)
#   cluster submit ARGS     'flink run' of the example (StreamMain) with ARGS, through Flink's
#                           CliFrontend, as a user submits a job jar
#   cluster submit-rest ARGS
#                           the same through the REST API (as the web UI does): uploads the job
#                           jar, runs the example's main inside the JobManager with ARGS (which
#                           must include --output DIR: no client reads the job) and prints the
#                           job's id
#   cluster status          the processes and the jobs (REST API)
#   cluster stop            stops every process 'cluster' started
#   cluster test            the kill test: SARCOS x8 through the example on a JobManager and two
#                           TaskManagers, kill -9 of one TaskManager once a checkpoint is done, a
#                           replacement started; the output must equal an undisturbed run's.
#                           Then the same job submitted through the REST API, writing files:
#                           they must equal an in-process run's, and a bad submission must fail
#                           with the example's message and leave the JobManager up (its own
#                           directory and ports 6133 and 8091; every process stopped at the end,
#                           also when it fails)
#
# State, configuration and logs: flink/target/cluster (KICKBACK_CLUSTER_DIR). Ports:
# KICKBACK_FLINK_RPC_PORT (6123) and KICKBACK_FLINK_REST_PORT (8081).
set -euo pipefail

DIR="${KICKBACK_CLUSTER_DIR:-$ROOT/flink/target/cluster}"
RPC_PORT="${KICKBACK_FLINK_RPC_PORT:-6123}"
REST_PORT="${KICKBACK_FLINK_REST_PORT:-8081}"
CLASSPATH_FILE="$ROOT/flink/target/flink.classpath"

say() { echo "kickback cluster: $*" >&2; }

# The JVM flags of every Flink process on JDK 17+: the Vector API for the kernels, and the
# module openings Flink's distribution sets in env.java.opts.all (its serializers and RPC
# reflect into java.base; without java.util the client fails on JDK 25 with
# InaccessibleObjectException).
flink_jvm_flags() {
  FLAGS=(--add-modules jdk.incubator.vector
    --add-exports=java.base/sun.net.util=ALL-UNNAMED
    --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
    --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
    --add-opens=java.base/java.lang=ALL-UNNAMED
    --add-opens=java.base/java.net=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
    --add-opens=java.base/java.text=ALL-UNNAMED
    --add-opens=java.base/java.time=ALL-UNNAMED
    --add-opens=java.base/java.util=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
    # Flink's own log (slf4j-simple, to the process's log file), with times
    -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=true
    "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS")
  if [ "$JDK_MAJOR" -ge 23 ]; then
    FLAGS+=(--sun-misc-unsafe-memory-access=allow)
  fi
}

write_config() {
  mkdir -p "$DIR/conf" "$DIR/log" "$DIR/pids" "$DIR/checkpoints"
  cat > "$DIR/conf/config.yaml" <<EOF
# written by ./kickback cluster start
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $RPC_PORT
jobmanager.bind-host: 127.0.0.1
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $REST_PORT
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.numberOfTaskSlots: 1
jobmanager.memory.process.size: 1024m
taskmanager.memory.process.size: 1600m
# a killed TaskManager is noticed within seconds, not the default 50
heartbeat.interval: 2000
heartbeat.timeout: 8000
# a restart waits out the heartbeat timeout: restarted sooner, the job is deployed again to
# the dead TaskManager's slot, fails a second time, and Flink 2.3's collect sink, cancelled
# before it opened, throws a NullPointerException in close (CollectSinkFunction's bufferLock)
# that its TaskManager treats as fatal: the surviving TaskManager exited and the job waited
# for slots for ever (seen in 6 runs of 8 on a Zen 5 VM with a 2 s delay)
restart-strategy.type: fixed-delay
restart-strategy.fixed-delay.attempts: 20
restart-strategy.fixed-delay.delay: 10 s
execution.checkpointing.dir: file://$DIR/checkpoints
EOF
}

# Starts a JobManager (kind JM) or TaskManager (TM) as process $1 (pid file and log named after
# it), detached from this shell. Its JVM memory flags and the memory and CPU settings it needs
# come from Flink's own BashJavaUtils, as Flink's start scripts get them.
start_process() {
  local name="$1" kind="$2" main jvm dyn out
  case "$kind" in
    JM) main=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint ;;
    TM) main=org.apache.flink.runtime.taskexecutor.TaskManagerRunner ;;
  esac
  out=$("$JDK/bin/java" -cp "$(cat "$CLASSPATH_FILE")" org.apache.flink.runtime.util.bash.BashJavaUtils \
    "GET_${kind}_RESOURCE_PARAMS" --configDir "$DIR/conf" 2>/dev/null | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' \
    | cut -d: -f2-) || { say "Flink's BashJavaUtils failed for $name"; return 1; }
  jvm=$(sed -n 1p <<< "$out")
  dyn=$(sed -n 2p <<< "$out")
  flink_jvm_flags
  # shellcheck disable=SC2086 # the two result lines are lists of words
  FLINK_CONF_DIR="$DIR/conf" nohup "$JDK/bin/java" "${FLAGS[@]}" $jvm \
    -cp "$(cat "$CLASSPATH_FILE")" "$main" --configDir "$DIR/conf" $dyn \
    > "$DIR/log/$name.log" 2>&1 < /dev/null &
  echo $! > "$DIR/pids/$name"
  say "started $name (pid $!), log $DIR/log/$name.log"
}

rest() {
  curl -sf --max-time 5 "http://127.0.0.1:$REST_PORT$1"
}

# Waits until the REST API reports $1 TaskManagers.
wait_for_taskmanagers() {
  local want="$1" i n
  for ((i = 0; i < 120; i++)); do
    n=$(rest /taskmanagers 2>/dev/null | grep -o '"id"' | wc -l || true)
    if [ "${n:-0}" -ge "$want" ]; then
      say "$n TaskManager(s) registered"
      return 0
    fi
    sleep 0.5
  done
  say "fewer than $want TaskManagers registered after 60 s; logs in $DIR/log"
  return 1
}

next_taskmanager_name() {
  local i=1
  while [ -e "$DIR/pids/taskmanager-$i" ] || [ -e "$DIR/log/taskmanager-$i.log" ]; do
    i=$((i + 1))
  done
  echo "taskmanager-$i"
}

stop_all() {
  local f pid
  [ -d "$DIR/pids" ] || return 0
  for f in "$DIR"/pids/*; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
      done
      kill -9 "$pid" 2>/dev/null || true
      say "stopped $(basename "$f") (pid $pid)"
    fi
    rm -f "$f"
  done
}

# The job's id and its number of completed checkpoints, from the REST API ("" 0 until known).
job_checkpoints() {
  local jid n
  jid=$(rest /jobs/overview 2>/dev/null | grep -o '"jid":"[0-9a-f]*"' | head -1 | cut -d'"' -f4 \
    || true)
  [ -n "$jid" ] || { echo " 0"; return; }
  n=$(rest "/jobs/$jid/checkpoints" 2>/dev/null | grep -o '"completed":[0-9]*' | head -1 \
    | cut -d: -f2 || true)
  echo "$jid ${n:-0}"
}

# Every line of a run's output the comparison uses: the NMSE reports (as a sorted list: their
# order across keys depends on the subtasks' timing, not their content) and the final table.
results() {
  grep -E '^col[0-9]+ +[0-9]+ samples' "$1" | sort
  sed -n '/^target /,$p' "$1"
}

# Uploads the job jar and runs the example through the REST API with the arguments given; prints
# the response of /run (the job's id, or the error with the example's message). Exit 1 on an
# error response.
submit_rest() {
  local upload jar args_json a body
  upload=$(curl -sS --max-time 60 -X POST -H "Expect:" -F "jarfile=@$FLINK_JOB_JAR" \
    "http://127.0.0.1:$REST_PORT/jars/upload") || { say "jar upload failed"; return 1; }
  jar=$(grep -o '"filename":"[^"]*"' <<< "$upload" | cut -d'"' -f4)
  [ -n "$jar" ] || { say "jar upload failed: $upload"; return 1; }
  jar=$(basename "$jar")
  args_json=""
  for a in "$@"; do
    a=${a//\\/\\\\}
    args_json+="${args_json:+,}\"${a//\"/\\\"}\""
  done
  body=$(curl -sS --max-time 120 -X POST -H 'Content-Type: application/json' \
    -d "{\"entryClass\":\"dev.kickback.flink.example.StreamMain\",\"programArgsList\":[$args_json]}" \
    -w '\n%{http_code}' "http://127.0.0.1:$REST_PORT/jars/$jar/run") || return 1
  echo "$body" | sed '$d'
  [ "$(echo "$body" | tail -1)" = 200 ]
}

# The state of job $1 from the REST API.
job_state() {
  rest "/jobs/$1" 2>/dev/null | grep -o '"state":"[A-Z]*"' | head -1 | cut -d'"' -f4 || true
}

# The REST part of the test, on the running cluster: the example submitted as the web UI does,
# its files against an in-process run's; a bad submission fails cleanly.
rest_test() {
  local args=("$@") i jid state response
  say "test: the example in-process with --output, then through the REST API"
  rm -rf "$DIR/out-local" "$DIR/out-rest"
  JAVA_HOME="$JDK" "$ROOT/kickback" stream "${args[@]}" --output "$DIR/out-local" \
    > "$DIR/local-files.out" 2> "$DIR/local-files.err" || { say "test: the in-process run"\
" with --output failed:"; tail -5 "$DIR/local-files.err" >&2; exit 1; }
  # its table, read back from the files, is the collected run's
  if ! diff <(sed -n '/^target /,$p' "$DIR/undisturbed.out") \
      <(sed -n '/^target /,$p' "$DIR/local-files.out") > "$DIR/files-table.diff"; then
    say "test: FAILED: the table read from --output's files differs:"; head "$DIR/files-table.diff" >&2
    exit 1
  fi
  response=$(submit_rest "${args[@]}" --output "$DIR/out-rest") || { say "test: FAILED: the"\
" REST submission was refused: $response"; exit 1; }
  jid=$(grep -o '"jobid":"[0-9a-f]*"' <<< "$response" | cut -d'"' -f4)
  [ -n "$jid" ] || { say "test: FAILED: no job id in the REST response: $response"; exit 1; }
  for ((i = 0; i < 240; i++)); do
    state=$(job_state "$jid")
    case "$state" in FINISHED | FAILED | CANCELED) break ;; esac
    sleep 0.5
  done
  [ "$state" = FINISHED ] || { say "test: FAILED: the REST-submitted job $jid is $state"; exit 1; }
  if ! diff <(cat $(find "$DIR/out-local" -type f ! -name '.*') | sort) \
      <(cat $(find "$DIR/out-rest" -type f ! -name '.*') | sort) > "$DIR/rest.diff"; then
    say "test: FAILED: the REST-submitted job's files differ from the in-process run's:"
    head "$DIR/rest.diff" >&2; exit 1
  fi
  # a submission whose main fails: an error naming the problem, the JobManager still up
  local bad=("${args[@]/#22-28/999}")
  if response=$(submit_rest "${bad[@]}" --output "$DIR/out-bad"); then
    say "test: FAILED: a submission with --targets 999 was accepted: $response"; exit 1
  fi
  grep -q 'kickback stream failed' <<< "$response" || { say "test: FAILED: the refused"\
" submission does not carry the example's message: $response"; exit 1; }
  kill -0 "$(cat "$DIR/pids/jobmanager")" 2>/dev/null && rest /overview > /dev/null \
    || { say "test: FAILED: the JobManager is gone after a failing submission"; exit 1; }
  say "test: passed: the REST-submitted job's $(cat $(find "$DIR/out-rest" -type f ! -name '.*') \
    | wc -l) records equal the in-process run's, and a failing main left the JobManager up"
}

kill_test() {
  local data="$ROOT/../shared/data/sarcos/sarcos_inv_test.csv"
  [ -r "$data" ] || { say "test: $data is not here"; exit 1; }
  mkdir -p "$DIR"
  local once
  once=$(cat "$data")
  for _ in 1 2 3 4 5 6 7 8; do printf '%s\n' "$once"; done > "$DIR/sarcos8.csv"
  local args=(--data "$DIR/sarcos8.csv" --targets 22-28 --parallelism 2 --epochs 0
    --report-every 5000 --checkpoint-interval 1)
  trap 'stop_all' EXIT
  say "test: the undisturbed run, in-process, as './kickback stream' runs it"
  JAVA_HOME="$JDK" "$ROOT/kickback" stream "${args[@]}" > "$DIR/undisturbed.out" \
    2> "$DIR/undisturbed.err" || { say "test: the in-process run failed:";
    tail -5 "$DIR/undisturbed.err" >&2; exit 1; }
  bash "$0" start 2
  say "test: submitting the same job to the cluster"
  bash "$0" submit "${args[@]}" > "$DIR/cluster.out" 2> "$DIR/cluster.err" &
  local client=$! i jid n
  for ((i = 0; i < 240; i++)); do
    read -r jid n <<< "$(job_checkpoints)"
    [ "${n:-0}" -ge 1 ] && break
    kill -0 "$client" 2>/dev/null || { say "test: the job ended before its first checkpoint";
      cat "$DIR/cluster.err" >&2; exit 1; }
    sleep 0.25
  done
  [ "${n:-0}" -ge 1 ] || { say "test: no checkpoint completed in 60 s"; exit 1; }
  local victim
  victim=$(cat "$DIR/pids/taskmanager-1")
  say "test: job $jid has $n completed checkpoint(s); kill -9 of taskmanager-1 (pid $victim)"
  kill -9 "$victim"
  bash "$0" taskmanager
  for ((i = 0; i < 600; i++)); do
    kill -0 "$client" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$client" 2>/dev/null; then
    say "test: the job did not end within 5 minutes of the kill"
    kill "$client" 2>/dev/null || true
    exit 1
  fi
  wait "$client" || { say "test: the client failed:"; tail -20 "$DIR/cluster.err" >&2; exit 1; }
  # the job went through RESTARTING (its timestamp is set) and its exception history names the
  # failures it recovered from
  local restarted failures
  rest "/jobs/$jid" > "$DIR/job.json" || true
  rest "/jobs/$jid/exceptions" > "$DIR/exceptions.json" || true
  restarted=$(grep -o '"RESTARTING":[1-9][0-9]*' "$DIR/job.json" || true)
  failures=$(grep -o '"exceptionName"' "$DIR/exceptions.json" | wc -l || true)
  results "$DIR/undisturbed.out" > "$DIR/undisturbed.results"
  results "$DIR/cluster.out" > "$DIR/cluster.results"
  if ! [ -s "$DIR/undisturbed.results" ]; then
    say "test: the undisturbed run printed no results"; exit 1
  fi
  if ! diff "$DIR/undisturbed.results" "$DIR/cluster.results" > "$DIR/results.diff"; then
    say "test: FAILED: the cluster's output differs from the undisturbed run's:"
    head -20 "$DIR/results.diff" >&2
    exit 1
  fi
  if [ -z "$restarted" ]; then
    say "test: FAILED: the job never restarted, so the kill tested nothing"; exit 1
  fi
  say "test: passed: the job restarted after kill -9 of a TaskManager ($failures failure(s) in"\
" its exception history), and"\
" its $(grep -c samples "$DIR/cluster.results") NMSE reports and final table equal the undisturbed"\
" run's, none lost, none duplicated"
  rest_test "${args[@]}"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  start)
    n="${1:-2}"
    [[ "$n" =~ ^[1-9][0-9]?$ ]] || { say "start: N TaskManagers, 1 to 99"; exit 2; }
    if ls "$DIR"/pids/* >/dev/null 2>&1; then
      say "a cluster started here is still running (./kickback cluster stop first)"
      exit 1
    fi
    if rest /overview >/dev/null 2>&1; then
      say "port $REST_PORT already answers: another Flink is running (KICKBACK_FLINK_REST_PORT)"
      exit 1
    fi
    rm -rf "$DIR/log"
    write_config
    start_process jobmanager JM
    for ((t = 1; t <= n; t++)); do
      start_process "taskmanager-$t" TM
    done
    wait_for_taskmanagers "$n" || { stop_all; exit 1; }
    say "web UI and REST API at http://127.0.0.1:$REST_PORT"
    ;;
  taskmanager)
    [ -f "$DIR/pids/jobmanager" ] || { say "no cluster started here"; exit 1; }
    start_process "$(next_taskmanager_name)" TM
    ;;
  submit)
    [ -f "$DIR/conf/config.yaml" ] || { say "no cluster started here"; exit 1; }
    flink_jvm_flags
    # the client's own log: warnings only (the last -D of a property wins)
    FLINK_CONF_DIR="$DIR/conf" exec "$JDK/bin/java" "${FLAGS[@]}" \
      -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
      -cp "$FLINK_JOB_JAR:$(cat "$CLASSPATH_FILE")" org.apache.flink.client.cli.CliFrontend \
      run -c dev.kickback.flink.example.StreamMain "$FLINK_JOB_JAR" "$@"
    ;;
  submit-rest)
    [ -f "$DIR/conf/config.yaml" ] || { say "no cluster started here"; exit 1; }
    submit_rest "$@"
    ;;
  status)
    for f in "$DIR"/pids/*; do
      [ -e "$f" ] || continue
      pid=$(cat "$f")
      if kill -0 "$pid" 2>/dev/null; then state=running; else state=gone; fi
      echo "$(basename "$f") pid $pid $state"
    done
    rest /jobs/overview || say "the REST API does not answer on port $REST_PORT"
    echo
    ;;
  stop)
    stop_all
    ;;
  test)
    export KICKBACK_CLUSTER_DIR="${KICKBACK_CLUSTER_DIR:-$ROOT/flink/target/cluster-test}"
    export KICKBACK_FLINK_RPC_PORT="${KICKBACK_FLINK_RPC_PORT:-6133}"
    export KICKBACK_FLINK_REST_PORT="${KICKBACK_FLINK_REST_PORT:-8091}"
    DIR="$KICKBACK_CLUSTER_DIR" RPC_PORT="$KICKBACK_FLINK_RPC_PORT"
    REST_PORT="$KICKBACK_FLINK_REST_PORT"
    kill_test
    ;;
  *)
    say "usage: ./kickback cluster start [N] | taskmanager | submit ARGS | submit-rest ARGS"\
" | status | stop | test"
    exit 2
    ;;
esac
