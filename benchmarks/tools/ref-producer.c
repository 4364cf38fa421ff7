/*
 * The C reference producer: librdkafka driven with nothing in between, the ceiling of any client on this machine.
 * Produces DataStorm's own tweet bytes (a payload file of length-prefixed encoded tweets, cycled) with a delivery
 * report per message, counted in C, with the same settings as the storm (-X key=value, as rdkafka_performance).
 * Linked to the librdkafka node-rdkafka builds, the same copy the storm uses. Built by scripts/setup.sh.
 *   ref-producer -b BOOTSTRAP -t TOPIC -c COUNT -f PAYLOADS [-X key=value ...]
 * Prints one JSON line: acknowledged, failed, seconds (first produce to last report), msgsPerSec, cpuSec.
 */
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static long long acked, failed;
static double latency_us_sum;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err) failed++;
  else {
    acked++;
    latency_us_sum += (double)rd_kafka_message_latency(m);
  }
}

static double now_sec(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "ref-producer: error: %s\n", what);
  exit(1);
}

#define USAGE "usage: ref-producer -b BOOTSTRAP -t TOPIC -c COUNT -f PAYLOADS [-X key=value ...] [-F SETTINGS-FILE]"

/* -F FILE: librdkafka settings, one key=value a line, so secrets stay off the command line. */
static void conf_from_file(rd_kafka_conf_t *conf, const char *path) {
  char line[4096], errstr[512];
  FILE *f = fopen(path, "r");
  if (!f) die("cannot open the -F settings file");
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    char *eq = strchr(line, '=');
    if (!line[0] || line[0] == '#' || !eq) continue;
    *eq = 0;
    if (rd_kafka_conf_set(conf, line, eq + 1, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) die(errstr);
  }
  fclose(f);
}

int main(int argc, char **argv) {
  const char *bootstrap = NULL, *topic = NULL, *file = NULL;
  long long count = 0;
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  int opt;
  while ((opt = getopt(argc, argv, "b:t:c:f:X:F:")) != -1) {
    switch (opt) {
      case 'b': bootstrap = optarg; break;
      case 't': topic = optarg; break;
      case 'c': count = atoll(optarg); break;
      case 'f': file = optarg; break;
      case 'F': conf_from_file(conf, optarg); break;
      case 'X': {
        char *eq = strchr(optarg, '=');
        if (!eq) die("-X takes key=value");
        *eq = 0;
        if (rd_kafka_conf_set(conf, optarg, eq + 1, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) die(errstr);
        break;
      }
      default: die(USAGE);
    }
  }
  if (!bootstrap || !topic || count <= 0 || !file)
    die(USAGE);

  /* Payloads: [u32 little-endian length][bytes] ... */
  FILE *f = fopen(file, "rb");
  if (!f) die("cannot open the payload file");
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *data = malloc(size);
  if (fread(data, 1, size, f) != (size_t)size) die("cannot read the payload file");
  fclose(f);
  size_t n = 0, cap = 1024;
  unsigned char **payloads = malloc(cap * sizeof *payloads);
  uint32_t *lens = malloc(cap * sizeof *lens);
  for (long off = 0; off + 4 <= size;) {
    uint32_t len = data[off] | data[off + 1] << 8 | data[off + 2] << 16 | (uint32_t)data[off + 3] << 24;
    off += 4;
    if (off + (long)len > size) die("truncated payload file");
    if (n == cap) {
      cap *= 2;
      payloads = realloc(payloads, cap * sizeof *payloads);
      lens = realloc(lens, cap * sizeof *lens);
    }
    payloads[n] = data + off;
    lens[n++] = len;
    off += len;
  }
  if (!n) die("empty payload file");

  if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) die(errstr);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) die(errstr);
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
  const struct rd_kafka_metadata *md;
  if (rd_kafka_metadata(rk, 0, rkt, &md, 10000)) die("no metadata for the topic within 10 s");
  rd_kafka_metadata_destroy(md);

  double t0 = now_sec();
  for (long long i = 0; i < count;) {
    size_t k = (size_t)(i % (long long)n);
    if (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, payloads[k], lens[k], NULL, 0, NULL) == -1) {
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) die(rd_kafka_err2str(rd_kafka_last_error()));
      rd_kafka_poll(rk, 5);
      continue;
    }
    i++;
    if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
  }
  while (acked + failed < count) rd_kafka_poll(rk, 50);
  double secs = now_sec() - t0;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  printf("{\"acknowledged\":%lld,\"failed\":%lld,\"seconds\":%.3f,\"msgsPerSec\":%.0f,"
         "\"cpuSec\":%.3f,\"avgLatencyMs\":%.1f}\n",
         acked, failed, secs, acked / secs, cpu, acked ? latency_us_sum / acked / 1000 : 0);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return failed ? 1 : 0;
}
