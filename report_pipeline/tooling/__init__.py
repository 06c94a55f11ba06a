"""Tools around the product: the service doctor, sample documents and the demo week."""
