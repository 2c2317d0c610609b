import { WaitingLinesChoice, type InventoryServiceDefinition } from '../gen/restock/inventory/v1/inventory_service';
import { StockMovementKind, type ReservationQuantity } from '../gen/restock/inventory/v1/stock';
import type { Product } from '../gen/restock/inventory/v1/product';
import { invalidArgument } from '../platform/errors';
import type { Orm } from '../platform/orm';
import { pageSize } from '../platform/pagination';
import type { Handlers } from '../platform/rpc';
import type { Peers } from '../platform/service-module';
import { Validator, MAX_QUANTITY } from '../platform/validation';
import type { ProductEntity } from './product.entity';
import { getProducts, listProducts, upsertProduct } from './products';
import { releaseStock, reserveStock, shipStock, type ReserveRequest } from './reservations';
import { adjustStock, getStock, listMovements, receiveStock, writeOffStock } from './stock';

const MAX_LINES = 100;
const MAX_BATCH = 1000;
const MAX_REQUESTS = 100;

/** The InventoryService handlers: validate, call one domain function, map the result. */
export function inventoryHandlers(orm: Orm, peers: Peers): Handlers<typeof InventoryServiceDefinition> {
  return {
    async upsertProduct({ product, waitingLines }, call) {
      validateProduct(product);
      new Validator()
        .check(waitingLines in WaitingLinesChoice && waitingLines >= 0, 'waiting_lines', 'must be a WaitingLinesChoice')
        .check(!waitingLines || product!.backorderPolicy?.discontinued === true, 'waiting_lines', 'applies only to a discontinued product')
        .done();
      return { product: toProduct(await upsertProduct(orm, peers, fromProduct(product!), { waitingLines, decidedBy: call.caller.sub })) };
    },
    async getProduct({ sku }) {
      new Validator().sku('sku', sku).done();
      const [product] = await getProducts(orm, [sku]);
      return { product: toProduct(product) };
    },
    async batchGetProducts({ skus }) {
      const v = new Validator().check(skus.length >= 1 && skus.length <= MAX_BATCH, 'skus', `must list 1-${MAX_BATCH} SKUs`);
      skus.forEach((sku, i) => v.sku(`skus[${i}]`, sku));
      v.done();
      return { products: (await getProducts(orm, skus)).map(toProduct) };
    },
    async listProducts(request) {
      const v = new Validator();
      if (request.skuPrefix !== '') v.sku('sku_prefix', request.skuPrefix);
      v.done();
      const filter = { skuPrefix: request.skuPrefix, discontinued: request.discontinued };
      const page = await listProducts(orm, filter, pageSize(request.pageSize), request.pageToken);
      return { products: page.products.map(toProduct), nextPageToken: page.nextPageToken };
    },
    async getStock({ sku }) {
      new Validator().sku('sku', sku).done();
      return { stock: await getStock(orm, sku) };
    },
    async adjustStock(request, call) {
      new Validator()
        .id('request_id', request.requestId)
        .sku('sku', request.sku)
        .check(Number.isInteger(request.delta) && request.delta !== 0 && Math.abs(request.delta) <= MAX_QUANTITY, 'delta', `must be a non-zero integer from -${MAX_QUANTITY} to ${MAX_QUANTITY}`)
        .text('reason', request.reason, { min: 1, max: 500 })
        .done();
      return { stock: await adjustStock(orm, request, call.caller.sub) };
    },
    async receiveStock(request) {
      new Validator().id('receipt_id', request.receiptId).sku('sku', request.sku).quantity('quantity', request.quantity).done();
      return { stock: await receiveStock(orm, request) };
    },
    async reserveStock(request) {
      const v = new Validator();
      validateReserve(v, request, '');
      v.done();
      const [results] = await reserveStock(orm, [request]);
      return { results };
    },
    async batchReserveStock({ requests }) {
      const v = new Validator().check(requests.length >= 1 && requests.length <= MAX_REQUESTS, 'requests', `must have 1-${MAX_REQUESTS} requests`);
      const seen = new Set<string>();
      requests.forEach((request, i) => {
        v.check(!seen.has(request.requestId), `requests[${i}].request_id`, 'appears twice');
        validateReserve(v, request, `requests[${i}].`);
        seen.add(request.requestId);
      });
      v.done();
      return { responses: (await reserveStock(orm, requests)).map((results) => ({ results })) };
    },
    async releaseStock(request) {
      validateQuantities(request.requestId, request.lines);
      return { reservations: await releaseStock(orm, request) };
    },
    async shipStock(request) {
      validateQuantities(request.requestId, request.lines);
      return { reservations: await shipStock(orm, request) };
    },
    async listStockMovements(request) {
      new Validator().sku('sku', request.sku).done();
      const page = await listMovements(orm, request.sku, pageSize(request.pageSize), request.pageToken);
      return {
        movements: page.movements.map((m) => ({ ...m, kind: StockMovementKind[`STOCK_MOVEMENT_KIND_${m.kind}`], recordedBy: m.recordedBy ?? '' })),
        nextPageToken: page.nextPageToken,
      };
    },
    async writeOffStock(request) {
      const v = new Validator()
        .id('request_id', request.requestId)
        .sku('sku', request.sku)
        .quantity('quantity', request.quantity)
        .text('reason', request.reason, { min: 1, max: 500 })
        .text('recorded_by', request.recordedBy, { max: 1000 })
        .check(request.lines.length <= MAX_LINES, 'lines', `must have at most ${MAX_LINES} lines`)
        .check(request.lines.reduce((sum, l) => sum + l.quantity, 0) <= request.quantity, 'lines', 'must give up at most quantity units');
      if (request.lines.length > 0) validateLines(v, request.lines, (line, field) => v.quantity(`${field}.quantity`, line.quantity));
      v.done();
      return { stock: await writeOffStock(orm, request) };
    },
  };
}

function validateProduct(product: Product | undefined): void {
  if (!product) throw invalidArgument([{ field: 'product', description: 'is required' }]);
  new Validator()
    .sku('product.sku', product.sku)
    .text('product.name', product.name, { min: 1, max: 200 })
    .money('product.unit_price', product.unitPrice)
    .quantity('product.backorder_policy.max_backorder_quantity_per_customer', product.backorderPolicy?.maxBackorderQuantityPerCustomer ?? 0, { min: 0 })
    .quantity('product.backorder_policy.max_backorder_quantity_total', product.backorderPolicy?.maxBackorderQuantityTotal ?? 0, { min: 0 })
    .done();
}

function validateReserve(v: Validator, request: ReserveRequest, prefix: string): void {
  v.id(`${prefix}request_id`, request.requestId);
  validateLines(v, request.lines, (line, field) => v.sku(`${field}.sku`, line.sku).quantity(`${field}.quantity`, line.quantity), prefix);
}

/** Checks 1-100 lines with unique line ids, then each line's own fields (field paths start with prefix). */
function validateLines<L extends { lineId: string }>(v: Validator, lines: L[], each: (line: L, field: string) => void, prefix = ''): void {
  v.check(lines.length >= 1 && lines.length <= MAX_LINES, `${prefix}lines`, `must have 1-${MAX_LINES} lines`);
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    v.id(`${prefix}lines[${i}].line_id`, line.lineId).check(!seen.has(line.lineId), `${prefix}lines[${i}].line_id`, 'appears twice');
    seen.add(line.lineId);
    each(line, `${prefix}lines[${i}]`);
  });
}

function validateQuantities(requestId: string, lines: ReservationQuantity[]): void {
  const v = new Validator().id('request_id', requestId);
  validateLines(v, lines, (line, field) => v.quantity(`${field}.quantity`, line.quantity));
  v.done();
}

function fromProduct(product: Product): Omit<ProductEntity, 'createTime' | 'updateTime'> {
  return {
    sku: product.sku,
    name: product.name,
    unitPriceCurrency: product.unitPrice!.currencyCode,
    unitPriceUnits: product.unitPrice!.units,
    unitPriceNanos: product.unitPrice!.nanos,
    acceptBackorders: product.backorderPolicy?.acceptBackorders ?? false,
    maxBackorderQuantityPerCustomer: product.backorderPolicy?.maxBackorderQuantityPerCustomer ?? 0,
    maxBackorderQuantityTotal: product.backorderPolicy?.maxBackorderQuantityTotal ?? 0,
    discontinued: product.backorderPolicy?.discontinued ?? false,
  };
}

function toProduct(entity: ProductEntity): Product {
  return {
    sku: entity.sku,
    name: entity.name,
    unitPrice: { currencyCode: entity.unitPriceCurrency, units: entity.unitPriceUnits, nanos: entity.unitPriceNanos },
    backorderPolicy: {
      acceptBackorders: entity.acceptBackorders,
      maxBackorderQuantityPerCustomer: entity.maxBackorderQuantityPerCustomer,
      maxBackorderQuantityTotal: entity.maxBackorderQuantityTotal,
      discontinued: entity.discontinued,
    },
  };
}
