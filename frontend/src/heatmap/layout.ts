/** The heatmap's tiles in pixels: sectors by their total size, members inside their sector. */
import type { HeatmapMember, HeatmapSector } from '../api/types';
import { inset, type Rect, squarify } from './treemap';

/** Room for a sector's name across the top of its tile, when the tile is tall enough for it. */
export const SECTOR_HEADER_PX = 18;
const SECTOR_GAP_PX = 2;

export interface SectorBox extends Rect {
  sector: HeatmapSector;
  /** The sector's name is drawn across its top. */
  titled: boolean;
}

export interface MemberBox extends Rect {
  member: HeatmapMember;
  sector: HeatmapSector;
}

export interface HeatmapLayout {
  sectors: SectorBox[];
  members: MemberBox[];
}

export function layoutHeatmap(sectors: readonly HeatmapSector[], bounds: Rect): HeatmapLayout {
  const sectorTiles = squarify(sectors, (sector) => sector.size_total, bounds);
  const boxes: SectorBox[] = [];
  const members: MemberBox[] = [];
  for (const tile of sectorTiles) {
    const titled = tile.height >= SECTOR_HEADER_PX * 3 && tile.width >= 60;
    boxes.push({ ...tile, sector: tile.item, titled });
    const inner = inset(tile, SECTOR_GAP_PX, titled ? SECTOR_HEADER_PX : 0);
    for (const memberTile of squarify(tile.item.members, (member) => member.size_value, inner)) {
      members.push({ ...memberTile, member: memberTile.item, sector: tile.item });
    }
  }
  return { sectors: boxes, members };
}

/** What a tile of this size can show: the symbol from 34x16 px, the change too from 30 px tall. */
export function tileText(box: Rect): 'none' | 'symbol' | 'both' {
  if (box.width < 34 || box.height < 16) return 'none';
  return box.height >= 30 ? 'both' : 'symbol';
}

/** The map's height for a given width: wide on a desktop, taller than wide on a phone. */
export function mapHeight(widthPx: number): number {
  if (widthPx < 600) return Math.round(widthPx * 1.3);
  return Math.round(Math.min(640, Math.max(360, widthPx * 0.56)));
}
