"""detect_anomaly and set_detect_anomaly."""

import warnings

import pluggrad as torch


def first_sentence(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0].split('. ')[0].split(': [')[0]}"


warnings.simplefilter("ignore")
print(torch.is_anomaly_enabled())
print(torch.is_anomaly_enabled())
with torch.autograd.detect_anomaly():
    print(torch.is_anomaly_enabled())
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    y = x.sqrt() * 0
    try:
        y.sum().backward()
    except Exception as e:
        print(first_sentence(e))
    print(x.grad)
print(torch.is_anomaly_enabled())
with torch.autograd.detect_anomaly(check_nan=False):
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    (x.sqrt() * 0).sum().backward()
    print(x.grad)
torch.autograd.set_detect_anomaly(True)
print(torch.is_anomaly_enabled())
torch.autograd.set_detect_anomaly(False)
print(torch.is_anomaly_enabled())
with torch.autograd.set_detect_anomaly(True):
    print(torch.is_anomaly_enabled())
print(torch.is_anomaly_enabled())
