"""Ex-ante: a planned effort's investeringskalkyl on the same model and catalogue as the ledger."""
