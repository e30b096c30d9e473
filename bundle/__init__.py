"""The offline bundle for PCs without internet: `make bundle` builds it, `make bundle-check` proves it."""
