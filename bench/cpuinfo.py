"""The CPU a benchmark ran on: model name and the SIMD/matrix flags that decide framescore's
speed (AVX2, AVX-512, AVX-512 BF16 and VNNI, AMX), so every printed table says where it holds."""
import re

FLAGS = ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16")


def cpu():
    info = open("/proc/cpuinfo").read()
    model = re.search(r"model name\s*:\s*(.*)", info)
    flags = set(re.search(r"flags\s*:\s*(.*)", info).group(1).split())
    return (model.group(1) if model else "?"), [f for f in FLAGS if f in flags]
