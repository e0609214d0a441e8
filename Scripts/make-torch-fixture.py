#!/usr/bin/env python3
"""Writes fixtures/torch/views.pt: a PyTorch-format file (zip of data.pkl + raw storages), made
with the standard library only, exactly as torch.save lays it out (pickle protocol 2, persistent
ids ('storage', torch.<Type>Storage, key, 'cpu', numel), torch._utils._rebuild_tensor_v2).

Contents (what the Swift tests expect):
  {'x': float32 2x3 transposed view (size (2,3), stride (1,2)) of storage 0 = [0..5],
   'y': float64 (4,) = [1.5, -2, 3.25, 1e300],
   'nested': [bool (2,2) = [[1,0],[0,1]], int64 (3,) view at offset 1 of storage 3 = [10,20,30,40] -> [20,30,40]],
   'same': the same storage 0 with size (6,) stride (1,) (shared storage),
   'meta': 7 (not a tensor)}
Also fixtures/torch/deflated.pt: the same archive with data.pkl deflate-compressed (unsupported).
"""
import collections, io, pickle, struct, sys, types, zipfile, pathlib

torch = types.ModuleType('torch'); utils = types.ModuleType('torch._utils')
sys.modules['torch'] = torch; sys.modules['torch._utils'] = utils
for name in ['FloatStorage', 'DoubleStorage', 'BoolStorage', 'LongStorage']:
    cls = type(name, (), {'__module__': 'torch'}); setattr(torch, name, cls)
def _rebuild_tensor_v2(*args): raise RuntimeError('not called')
_rebuild_tensor_v2.__module__ = 'torch._utils'; utils._rebuild_tensor_v2 = _rebuild_tensor_v2

class Storage:
    def __init__(self, key, kind, fmt, values): self.key, self.kind, self.fmt, self.values = key, kind, fmt, values
class Tensor:
    def __init__(self, storage, offset, size, stride): self.args = (storage, offset, size, stride, False, collections.OrderedDict())
    def __reduce__(self): return (_rebuild_tensor_v2, self.args)

s0 = Storage('0', torch.FloatStorage, '<6f', [0, 1, 2, 3, 4, 5])
s1 = Storage('1', torch.DoubleStorage, '<4d', [1.5, -2, 3.25, 1e300])
s2 = Storage('2', torch.BoolStorage, '<4?', [True, False, False, True])
s3 = Storage('3', torch.LongStorage, '<4q', [10, 20, 30, 40])
obj = {'x': Tensor(s0, 0, (2, 3), (1, 2)), 'y': Tensor(s1, 0, (4,), (1,)),
       'nested': [Tensor(s2, 0, (2, 2), (2, 1)), Tensor(s3, 1, (3,), (1,))],
       'same': Tensor(s0, 0, (6,), (1,)), 'meta': 7}

class P(pickle.Pickler):
    def persistent_id(self, o):
        if isinstance(o, Storage): return ('storage', o.kind, o.key, 'cpu', len(o.values))
        return None
buf = io.BytesIO(); P(buf, protocol=2).dump(obj)
root = pathlib.Path(__file__).resolve().parent.parent / 'fixtures' / 'torch'
for name, method in [('views.pt', zipfile.ZIP_STORED), ('deflated.pt', zipfile.ZIP_DEFLATED)]:
    with zipfile.ZipFile(root / name, 'w') as z:
        z.writestr(zipfile.ZipInfo('archive/data.pkl', (1980, 1, 1, 0, 0, 0)), buf.getvalue(), compress_type=method)
        for s in [s0, s1, s2, s3]:
            z.writestr(zipfile.ZipInfo('archive/data/' + s.key, (1980, 1, 1, 0, 0, 0)), struct.pack(s.fmt, *s.values))
        z.writestr(zipfile.ZipInfo('archive/version', (1980, 1, 1, 0, 0, 0)), b'3\n')
print('wrote', root / 'views.pt', root / 'deflated.pt')
