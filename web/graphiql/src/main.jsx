// GraphiQL for dte-registry, bundled from the locked npm packages: no script, style or font
// comes from another host. Queries go to /graphql on the page's own origin.
import React from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/graphiql.css';

const fetcher = createGraphiQLFetcher({ url: new URL('/graphql', window.location.href).href });

const defaultQuery = `# The public registry of the Digital Technology Engineer programme.
# Press the run button (or Ctrl-Enter). The schema: /schema.graphql
{
  levels { level code name }
  institutions(kind: EVALUATION, first: 3) {
    totalCount
    nodes { uscc name province status validUntil }
  }
}
`;

createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: true }),
);
