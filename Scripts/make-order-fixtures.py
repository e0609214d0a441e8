#!/usr/bin/env python3
"""Writes fixtures/order/<model>.txt: `model.named_parameters()` of small models of each family
htsr knows the forward order of (Sources/Checkpoint/ModelFamily.swift), one name per line.

`transformers` is not installed here, so each family's modules are re-declared below as bare
torch skeletons: the same attribute names registered in the same order as the `__init__` of the
Hugging Face classes cited (src/transformers/models/<family>/modeling_<family>.py), with tied
weights tied the same way. Shapes are tiny (only names and registration order matter); torch
itself produces the order (a module's own parameters, then its submodules', depth first; tied
parameters once).

    PY=$(Scripts/python-env torch numpy)
    "$PY" Scripts/make-order-fixtures.py          # rewrites fixtures/order/*.txt
"""
import os
import sys

import torch
from torch import nn

H = 4          # hidden size: any value will do
LAYERS = 12    # at least 11 so that block 10 sorts after block 2 only when read as a number


def linear():
    return nn.Linear(H, H)


def norm():
    return nn.LayerNorm(H)


class Module(nn.Module):
    """Registers submodules / parameters in the order given, like an `__init__` does."""

    def __init__(self, parts=None, **more):
        super().__init__()
        for name, value in {**(parts or {}), **more}.items():
            setattr(self, name, value)


def param(*shape):
    return nn.Parameter(torch.zeros(*shape))


# --- BERT / RoBERTa (modeling_bert.py, modeling_roberta.py) -------------------------------
def bert_embeddings(token_type=True):
    # BertEmbeddings: word_embeddings, position_embeddings, token_type_embeddings, LayerNorm, dropout
    parts = dict(word_embeddings=nn.Embedding(10, H), position_embeddings=nn.Embedding(8, H))
    if token_type:
        parts["token_type_embeddings"] = nn.Embedding(2, H)
    parts["LayerNorm"] = norm()
    return Module(**parts)


def bert_layer():
    # BertLayer: attention (BertAttention: self (query, key, value), output (dense, LayerNorm)),
    # intermediate (dense), output (dense, LayerNorm)
    # (`self` is a keyword of Python methods: the dict form passes it as a name.)
    return Module(attention=Module({"self": Module(query=linear(), key=linear(), value=linear()),
                                    "output": Module(dense=linear(), LayerNorm=norm())}),
                  intermediate=Module(dense=linear()),
                  output=Module(dense=linear(), LayerNorm=norm()))


def bert_model(pooler=True):
    # BertModel: embeddings, encoder (layer: ModuleList), pooler (dense)
    parts = dict(embeddings=bert_embeddings(), encoder=Module(layer=nn.ModuleList([bert_layer() for _ in range(LAYERS)])))
    if pooler:
        parts["pooler"] = Module(dense=linear())
    return Module(**parts)


def bert_for_pretraining():
    # BertForPreTraining: bert, cls (BertPreTrainingHeads: predictions, seq_relationship);
    # BertLMPredictionHead: transform (dense, LayerNorm), decoder (tied to word_embeddings), bias
    # (decoder.bias = bias: the same parameter).
    bert = bert_model()
    decoder = nn.Linear(H, 10)
    decoder.weight = bert.embeddings.word_embeddings.weight
    predictions = Module(transform=Module(dense=linear(), LayerNorm=norm()), decoder=decoder, bias=param(10))
    predictions.decoder.bias = predictions.bias
    return Module(bert=bert, cls=Module(predictions=predictions, seq_relationship=nn.Linear(H, 2)))


def bert_for_sequence_classification():
    # BertForSequenceClassification: bert, dropout, classifier
    return Module(bert=bert_model(), dropout=nn.Dropout(), classifier=nn.Linear(H, 2))


def roberta_for_sequence_classification():
    # RobertaForSequenceClassification: roberta (add_pooling_layer=False), classifier
    # (RobertaClassificationHead: dense, dropout, out_proj)
    return Module(roberta=bert_model(pooler=False), classifier=Module(dense=linear(), out_proj=nn.Linear(H, 2)))


# --- DistilBERT (modeling_distilbert.py) ---------------------------------------------------
def distilbert_for_sequence_classification():
    # Embeddings: word_embeddings, position_embeddings, LayerNorm; TransformerBlock: attention
    # (MultiHeadSelfAttention: q_lin, k_lin, v_lin, out_lin), sa_layer_norm, ffn (lin1, lin2),
    # output_layer_norm; DistilBertForSequenceClassification: distilbert, pre_classifier, classifier
    block = lambda: Module(attention=Module(q_lin=linear(), k_lin=linear(), v_lin=linear(), out_lin=linear()),
                           sa_layer_norm=norm(), ffn=Module(lin1=linear(), lin2=linear()), output_layer_norm=norm())
    model = Module(embeddings=bert_embeddings(token_type=False),
                   transformer=Module(layer=nn.ModuleList([block() for _ in range(LAYERS)])))
    return Module(distilbert=model, pre_classifier=linear(), classifier=nn.Linear(H, 2))


# --- ALBERT (modeling_albert.py) -------------------------------------------------------------
def albert_for_masked_lm():
    # AlbertModel (add_pooling_layer=False for the MLM head): embeddings, encoder
    # (AlbertTransformer: embedding_hidden_mapping_in, albert_layer_groups[AlbertLayerGroup:
    # albert_layers[AlbertLayer: full_layer_layer_norm, attention (query, key, value, dense,
    # LayerNorm), ffn, ffn_output]]); AlbertForMaskedLM: albert, predictions (AlbertMLMHead:
    # LayerNorm, bias, dense, decoder (weight tied to word_embeddings, bias = the head's bias))
    albert_layer = lambda: Module(full_layer_layer_norm=norm(),
                                  attention=Module(query=linear(), key=linear(), value=linear(), dense=linear(),
                                                   LayerNorm=norm()),
                                  ffn=linear(), ffn_output=linear())
    groups = nn.ModuleList([Module(albert_layers=nn.ModuleList([albert_layer()])) for _ in range(LAYERS)])
    albert = Module(embeddings=bert_embeddings(), encoder=Module(embedding_hidden_mapping_in=linear(), albert_layer_groups=groups))
    decoder = nn.Linear(H, 10)
    decoder.weight = albert.embeddings.word_embeddings.weight
    predictions = Module(LayerNorm=norm(), bias=param(10), dense=linear(), decoder=decoder)
    predictions.decoder.bias = predictions.bias
    return Module(albert=albert, predictions=predictions)


# --- GPT-2 (modeling_gpt2.py) ----------------------------------------------------------------
class Conv1D(nn.Module):
    # transformers.pytorch_utils.Conv1D: weight (in, out), bias
    def __init__(self):
        super().__init__()
        self.weight = param(H, H)
        self.bias = param(H)


def gpt2_lm_head_model():
    # GPT2Model: wte, wpe, drop, h[GPT2Block: ln_1, attn (GPT2Attention: c_attn, c_proj), ln_2,
    # mlp (GPT2MLP: c_fc, c_proj)], ln_f; GPT2LMHeadModel: transformer, lm_head (tied to wte)
    block = lambda: Module(ln_1=norm(), attn=Module(c_attn=Conv1D(), c_proj=Conv1D()), ln_2=norm(),
                           mlp=Module(c_fc=Conv1D(), c_proj=Conv1D()))
    transformer = Module(wte=nn.Embedding(10, H), wpe=nn.Embedding(8, H), h=nn.ModuleList([block() for _ in range(LAYERS)]),
                         ln_f=norm())
    lm_head = nn.Linear(H, 10, bias=False)
    lm_head.weight = transformer.wte.weight
    return Module(transformer=transformer, lm_head=lm_head)


# --- Llama / Mistral / Qwen2 / Qwen3 (modeling_llama.py, modeling_qwen3.py) ------------------
class RMSNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = param(H)


def llama_for_causal_lm(qk_norm=False, qkv_bias=False):
    # LlamaModel: embed_tokens, layers[LlamaDecoderLayer: self_attn (q_proj, k_proj, v_proj,
    # o_proj; Qwen3: q_norm, k_norm), mlp (gate_proj, up_proj, down_proj), input_layernorm,
    # post_attention_layernorm], norm; LlamaForCausalLM: model, lm_head (untied)
    def attention():
        parts = dict(q_proj=nn.Linear(H, H, bias=qkv_bias), k_proj=nn.Linear(H, H, bias=qkv_bias),
                     v_proj=nn.Linear(H, H, bias=qkv_bias), o_proj=nn.Linear(H, H, bias=False))
        if qk_norm:
            parts.update(q_norm=RMSNorm(), k_norm=RMSNorm())
        return Module(**parts)
    layer = lambda: Module(self_attn=attention(),
                           mlp=Module(gate_proj=nn.Linear(H, H, bias=False), up_proj=nn.Linear(H, H, bias=False),
                                      down_proj=nn.Linear(H, H, bias=False)),
                           input_layernorm=RMSNorm(), post_attention_layernorm=RMSNorm())
    model = Module(embed_tokens=nn.Embedding(10, H), layers=nn.ModuleList([layer() for _ in range(LAYERS)]), norm=RMSNorm())
    return Module(model=model, lm_head=nn.Linear(H, 10, bias=False))


# --- T5 (modeling_t5.py) -----------------------------------------------------------------------
class T5LayerNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = param(H)


def t5_attention(relative):
    # T5Attention: q, k, v, o, relative_attention_bias (only where has_relative_attention_bias)
    parts = dict(q=nn.Linear(H, H, bias=False), k=nn.Linear(H, H, bias=False), v=nn.Linear(H, H, bias=False),
                 o=nn.Linear(H, H, bias=False))
    if relative:
        parts["relative_attention_bias"] = nn.Embedding(32, 2)
    return Module(**parts)


def t5_for_conditional_generation():
    # T5ForConditionalGeneration: shared, encoder, decoder, lm_head; T5Stack: embed_tokens (the
    # shared embedding), block[T5Block: layer = [T5LayerSelfAttention (SelfAttention,
    # layer_norm), (decoder: T5LayerCrossAttention (EncDecAttention, layer_norm)), T5LayerFF
    # (DenseReluDense (wi, wo), layer_norm)]], final_layer_norm. Block 0 holds the relative bias.
    shared = nn.Embedding(10, H)
    ff = lambda: Module(DenseReluDense=Module(wi=nn.Linear(H, H, bias=False), wo=nn.Linear(H, H, bias=False)),
                        layer_norm=T5LayerNorm())

    def stack(decoder):
        def block(i):
            layers = [Module(SelfAttention=t5_attention(i == 0), layer_norm=T5LayerNorm())]
            if decoder:
                layers.append(Module(EncDecAttention=t5_attention(False), layer_norm=T5LayerNorm()))
            layers.append(ff())
            return Module(layer=nn.ModuleList(layers))
        return Module(embed_tokens=shared, block=nn.ModuleList([block(i) for i in range(LAYERS)]),
                      final_layer_norm=T5LayerNorm())
    return Module(shared=shared, encoder=stack(False), decoder=stack(True), lm_head=nn.Linear(H, 10, bias=False))


# --- ViT (modeling_vit.py) ---------------------------------------------------------------------
class ViTEmbeddings(nn.Module):
    # cls_token, mask_token (use_mask_token), patch_embeddings (projection: Conv2d), position_embeddings
    def __init__(self, mask_token):
        super().__init__()
        self.cls_token = param(1, 1, H)
        self.mask_token = param(1, 1, H) if mask_token else None
        self.patch_embeddings = Module(projection=nn.Conv2d(3, H, 2, 2))
        self.position_embeddings = param(1, 5, H)


def vit_model(pooler=True, mask_token=False):
    # ViTModel: embeddings, encoder (layer[ViTLayer: attention (attention (query, key, value),
    # output (dense)), intermediate (dense), output (dense), layernorm_before, layernorm_after]),
    # layernorm, pooler (dense)
    layer = lambda: Module(attention=Module(attention=Module(query=linear(), key=linear(), value=linear()),
                                            output=Module(dense=linear())),
                           intermediate=Module(dense=linear()), output=Module(dense=linear()),
                           layernorm_before=norm(), layernorm_after=norm())
    parts = dict(embeddings=ViTEmbeddings(mask_token), encoder=Module(layer=nn.ModuleList([layer() for _ in range(LAYERS)])),
                 layernorm=norm())
    if pooler:
        parts["pooler"] = Module(dense=linear())
    return Module(**parts)


MODELS = {
    "bert-model": bert_model,
    "bert-for-pretraining": bert_for_pretraining,
    "bert-for-sequence-classification": bert_for_sequence_classification,
    "roberta-for-sequence-classification": roberta_for_sequence_classification,
    "distilbert-for-sequence-classification": distilbert_for_sequence_classification,
    "albert-for-masked-lm": albert_for_masked_lm,
    "gpt2-lm-head-model": gpt2_lm_head_model,
    "llama-for-causal-lm": llama_for_causal_lm,
    "qwen2-for-causal-lm": lambda: llama_for_causal_lm(qkv_bias=True),
    "qwen3-for-causal-lm": lambda: llama_for_causal_lm(qk_norm=True),
    "t5-for-conditional-generation": t5_for_conditional_generation,
    "vit-for-image-classification": lambda: Module(vit=vit_model(pooler=False), classifier=nn.Linear(H, 2)),
    "vit-model-mask-token": lambda: vit_model(mask_token=True),
}


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "order")
    os.makedirs(root, exist_ok=True)
    for name, make in MODELS.items():
        names = [n for n, _ in make().named_parameters()]
        with open(os.path.join(root, name + ".txt"), "w") as f:
            f.write("\n".join(names) + "\n")
        print(f"{name}: {len(names)} parameters", file=sys.stderr)


if __name__ == "__main__":
    main()
