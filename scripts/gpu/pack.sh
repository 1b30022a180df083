#!/usr/bin/env bash
# Here, on the machine without a GPU: packs what scripts/gpu/run.sh needs on the GPU
# machine (Debian's Chromium and the libraries it links, trunk's dist/, TF.js 4.22 and the
# peers' page, the native CLI built with --features wgpu, JAX's peer script) and splits it
# into .gpupart/ chunks small enough to travel one per device call beside the repo.
# Then see BENCHMARKS.md ("On a real GPU") for the three device calls.
# Needs: `trunk build --release`, `cargo build --release --features wgpu`, npm.
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${GPU_WORK:-/tmp/gpu}; P=$W/payload; CHUNK=${CHUNK:-45M}
mkdir -p "$W"
[ -s "$W/chromium.xz" ] || xz -9e -T1 -c /usr/lib/chromium/chromium > "$W/chromium.xz"
if [ ! -f "$W/npm/node_modules/@tensorflow/tfjs/dist/tf.min.js" ]; then
  mkdir -p "$W/npm" && (cd "$W/npm" && echo '{"private":true}' > package.json &&
    npm install --no-audit --no-fund --loglevel=error @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-webgpu@4.22.0)
fi
rm -rf "$P" && mkdir -p "$P/chromium/locales" "$P/libs" "$P/peers/node_modules/@tensorflow"
for f in chrome_100_percent.pak chrome_200_percent.pak chrome_crashpad_handler icudtl.dat libEGL.so libGLESv2.so \
         libvulkan.so.1 libvk_swiftshader.so vk_swiftshader_icd.json resources.pak snapshot_blob.bin v8_context_snapshot.bin; do cp /usr/lib/chromium/$f "$P/chromium/"; done
cp /usr/lib/chromium/locales/en-US.pak "$P/chromium/locales/"
# Every library Chromium links but glibc; run.sh adds only those the GPU machine lacks.
for l in $(ldd /usr/lib/chromium/chromium | awk '$3 ~ /^\// {print $3}'); do
  case $(basename "$l") in libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|libresolv.so*|ld-linux*) ;; *) cp -L "$l" "$P/libs/";; esac
done
# The bench pages need no lab data (dist/data is MNIST and the corpora).
# dist-fusion (scripts/gpu/build-fusion.sh) goes too where it was built.
for d in dist dist-fusion; do
  [ -d $d ] || continue
  mkdir -p "$P/$d" && find $d -maxdepth 1 -type f -exec cp {} "$P/$d/" \; && cp scripts/gpu/wrap.html "$P/$d/__wrap.html"
done
cp -r ../shared/peers/web ../shared/peers/py "$P/peers/"
for f in tfjs/dist/tf.min.js tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js; do
  mkdir -p "$(dirname "$P/peers/node_modules/@tensorflow/$f")" && cp "$W/npm/node_modules/@tensorflow/$f" "$P/peers/node_modules/@tensorflow/$f"
done
# NATIVE=0 leaves the native CLI out (it is the largest part after Chromium).
[ "${NATIVE:-1}" = 0 ] || strip -o "$P/reasonlab" target/release/reasonlab
tar -C "$P" -cf - . | xz -9 -T2 > "$W/rest.tar.xz"
# Carried beside the chunks in the last call: fonts (Chromium aborts drawing text without
# any) and the GL/Vulkan loader packages the device README names.
rm -rf .gpufonts && mkdir .gpufonts && cp scripts/gpu/fonts.conf /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf \
  /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf .gpufonts/
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p .gl /tmp/amd64/partial && apt-get $o update >/dev/null &&
    (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
grep -qx '/.gpupart/' .git/info/exclude || printf '/.gpupart/\n/.gpufonts/\n/.gl/\n' >> .git/info/exclude
rm -rf .gpupart && mkdir .gpupart
tar -C "$W" -cf - chromium.xz rest.tar.xz | split -b "$CHUNK" -d - .gpupart/part-
ls -la .gpupart
