"""Finding the items that answer a question: dates in the question, dense and lexical search."""
