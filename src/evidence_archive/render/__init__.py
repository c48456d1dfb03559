"""Stage 3, render: the document model -> a Markdown page with YAML front matter."""
